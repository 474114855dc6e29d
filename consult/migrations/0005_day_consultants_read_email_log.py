"""Consultants read the email log, their own clients' rows (``desk.admin`` scopes it);
managers unlock staff accounts locked out after wrong passwords (django-axes' access
attempts: deleting one lifts its lockout).

Runs the groups migration's function again, which adds what 0002 now grants and
removes nothing, then grants the unlocking.
"""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

_groups = importlib.import_module("consult.migrations.0002_staff_groups")

UNLOCK = ("view_accessattempt", "delete_accessattempt")


def managers_unlock_grant(apps, schema_editor=None) -> None:
    config = apps.get_app_config("axes")
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="Managers")
    managers.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=UNLOCK)
    )


def grant(apps, schema_editor) -> None:
    _groups.create_groups(apps, schema_editor)
    managers_unlock_grant(apps, schema_editor)


def revoke(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, app_label, codenames in (
        ("Consultants", "consult", ("view_outboundemail",)),
        ("Managers", "axes", UNLOCK),
    ):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0004_outbound_email_claimed_by"),
        ("advisor", "0009_day_assessment_notes"),
        ("bookings", "0009_day_booking_notes_awaiting_outcome"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
