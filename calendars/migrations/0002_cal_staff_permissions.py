"""What the staff groups may do with calendars: consultants connect and manage their own
(the admin narrows "their own"), managers everyone's. Adds, never removes."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")

GRANTS = {
    "Consultants": {
        "calendarfeed": ALL,
        "caldavaccount": ALL,
        "calendarsubscription": ("add", "change", "view"),
        "calendarwrite": ("view",),
    },
    "Managers": {
        "calendarfeed": ALL,
        "caldavaccount": ALL,
        "calendarsubscription": ALL,
        "calendarwrite": ("view", "change"),
    },
}


def grant(apps, schema_editor) -> None:
    config = apps.get_app_config("calendars")
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *(
                Permission.objects.get(
                    content_type__app_label="calendars", codename=f"{action}_{model}"
                )
                for model, actions in models.items()
                for action in actions
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_cal_initial"),
        ("consult", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
