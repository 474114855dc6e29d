"""What the staff groups may do with calendars: consultants connect and manage their own
(the admin narrows "their own"), managers everyone's. Adds, never removes."""

from django.db import migrations

from consult.migration_helpers import ALL, group_permissions_grant

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
    group_permissions_grant(apps, "calendars", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_cal_initial"),
        ("consult", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
