"""Consultants read the email log, their own clients' rows (``desk.admin`` scopes it);
managers unlock staff accounts locked out after wrong passwords (django-axes' access
attempts: deleting one lifts its lockout).

Runs the groups migration's function again, which adds what 0002 now grants and
removes nothing, then grants the unlocking.
"""

import importlib

from django.db import migrations

from consult.migration_helpers import group_permissions_grant, group_permissions_revoke

_groups = importlib.import_module("consult.migrations.0002_staff_groups")

UNLOCK = {"Managers": {"accessattempt": ("view", "delete")}}


def managers_unlock_grant(apps, schema_editor=None) -> None:
    group_permissions_grant(apps, "axes", UNLOCK)


def grant(apps, schema_editor) -> None:
    _groups.create_groups(apps, schema_editor)
    managers_unlock_grant(apps, schema_editor)


def revoke(apps, schema_editor) -> None:
    group_permissions_revoke(
        apps, "consult", {"Consultants": {"outboundemail": ("view",)}}
    )
    group_permissions_revoke(apps, "axes", UNLOCK)


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0004_outbound_email_claimed_by"),
        ("advisor", "0009_day_assessment_notes"),
        ("bookings", "0009_day_booking_notes_awaiting_outcome"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
