"""The two staff groups and what each may do in the admin.

* Consultants view assessments and change only their review status and notes (the admin
  shows the client's answers read-only), view and change their own bookings, manage their
  own availability and view their own profile. The admin narrows "their own".
* Consultants also read the email log, narrowed to their own clients' emails
  (``desk.admin``; granted to existing databases by migration 0005).
* Managers do everything on the product's models and see every consultant's bookings.

Running it again adds what is missing and removes nothing someone granted by hand.
"""

from django.db import migrations

from consult.migration_helpers import ALL, permissions_ensure

AVAILABILITY = ("weeklyhours", "dateoverride", "timeoff")

GROUPS = {
    "Consultants": {
        "advisor": {
            "assessment": ("view", "change"),
            "usecase": ("view",),
            "recommendation": ("view",),
        },
        "bookings": {
            "booking": ("view", "change"),
            "consultant": ("view",),
            **dict.fromkeys(AVAILABILITY, ALL),
        },
        # The rows about their own clients only: the desk scopes the log.
        "consult": {"outboundemail": ("view",)},
    },
    "Managers": {
        "advisor": dict.fromkeys(
            ("assessment", "usecase", "recommendation", "pricebook"), ALL
        ),
        "bookings": dict.fromkeys(
            ("booking", "bookingpolicy", "consultant", *AVAILABILITY), ALL
        ),
        "consult": {"outboundemail": ALL},
    },
}


def create_groups(apps, schema_editor) -> None:
    for label in ("advisor", "bookings", "consult"):
        permissions_ensure(apps, label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            (app_label, f"{action}_{model}")
            for app_label, models in grants.items()
            for model, actions in models.items()
            for action in actions
        ]
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("advisor", "0002_seed_price_book"),
        ("bookings", "0003_booking_assessment"),
        ("consult", "0001_outbound_email"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
