"""The three kinds of admin user, for tests of who sees what.

The groups come from ``consult/migrations/0002_staff_groups``; later migrations grant
them more (consult 0005, calendars 0002, api 0002, webhooks 0002). Tests that flush the
database (the browser tests) take them away, also from a reused test database, so each
helper puts them back when they are missing, and ``tests/conftest.py`` puts them back
when the session starts: a migration that a reused database had not run yet then finds no
group and makes one with only its own grants.
"""

import importlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from consult.staff import CONSULTANTS, MANAGERS
from tests.factories.bookings import ConsultantFactory, StaffUserFactory

_groups = importlib.import_module("consult.migrations.0002_staff_groups")
_unlock = importlib.import_module(
    "consult.migrations.0005_day_consultants_read_email_log"
)
_calendars = importlib.import_module("calendars.migrations.0002_cal_staff_permissions")
_api = importlib.import_module("api.migrations.0002_api_managers")
_webhooks = importlib.import_module("webhooks.migrations.0002_api_managers")

ROLES = ("superuser", "manager", "consultant")


def staff_groups_create() -> None:
    """Both groups with every grant their migrations make; adds only what is missing."""
    _groups.create_groups(apps, None)
    _unlock.managers_unlock_grant(apps)
    _calendars.grant(apps, None)
    _api.grant(apps, None)
    _webhooks.grant(apps, None)


def _group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        staff_groups_create()
        group = Group.objects.get(name=name)
    return group


def superuser_create(username: str = "root"):
    return get_user_model().objects.create_superuser(
        username, f"{username}@consult.example", "unused-password"
    )


def manager_create(username: str = "manager"):
    user = StaffUserFactory(username=username)
    user.groups.add(_group(MANAGERS))
    return user


def consultant_create(**kwargs):
    """A consultant whose staff user is in the Consultants group."""
    consultant = ConsultantFactory(**kwargs)
    consultant.user.groups.add(_group(CONSULTANTS))
    return consultant


def user_for(role: str, consultant=None):
    """A logged-in-able user for ``role``; a consultant role uses ``consultant``'s user."""
    if role == "superuser":
        return superuser_create()
    if role == "manager":
        return manager_create()
    return (consultant or consultant_create()).user
