"""Managers make and revoke API tokens (the admin also keeps them from Consultants,
whatever their permissions)."""

from django.db import migrations

from consult.migration_helpers import ALL, group_permissions_grant

GRANTS = {"Managers": {"apitoken": ALL}}


def grant(apps, schema_editor) -> None:
    group_permissions_grant(apps, "api", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_initial"),
        ("consult", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
