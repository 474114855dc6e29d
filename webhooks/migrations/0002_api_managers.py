"""Managers configure webhook endpoints and redeliver failed deliveries (the admin also
keeps them from Consultants, whatever their permissions)."""

from django.db import migrations

from consult.migration_helpers import ALL, group_permissions_grant

GRANTS = {
    "Managers": {
        "webhookendpoint": ALL,
        "webhookdelivery": ("change", "view"),
        "webhookattempt": ("view",),
    }
}


def grant(apps, schema_editor) -> None:
    group_permissions_grant(apps, "webhooks", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_api_initial"),
        ("consult", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
