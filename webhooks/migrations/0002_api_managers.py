"""Managers configure webhook endpoints and redeliver failed deliveries (the admin also
keeps them from Consultants, whatever their permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")
GRANTS = {
    "webhookendpoint": ALL,
    "webhookdelivery": ("change", "view"),
    "webhookattempt": ("view",),
}


def grant(apps, schema_editor) -> None:
    # On a new database Django creates permissions after the last migration.
    config = apps.get_app_config("webhooks")
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Managers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="webhooks",
            codename__in=[
                f"{action}_{model}"
                for model, actions in GRANTS.items()
                for action in actions
            ],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_api_initial"),
        ("consult", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
