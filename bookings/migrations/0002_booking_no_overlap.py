"""No two active bookings of one consultant may overlap, buffers included: PostgreSQL only.

Django's ExclusionConstraint emits PostgreSQL-only SQL even on SQLite, so the constraint is
created here for PostgreSQL and skipped elsewhere (SQLite serialises writers with
immediate-mode transactions and the booking service re-checks inside them).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "booking_no_overlap"

CREATE = f"""
ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (
    consultant_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (status = 'confirmed')
"""

DROP = f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}"


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        # Needed for "consultant_id WITH =" in a GiST index; a no-op off PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
