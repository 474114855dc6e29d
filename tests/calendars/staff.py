"""Staff users for the calendars admin, with the groups' calendar permissions.

Browser tests empty the database, groups included; the groups are made again by the
bookings helpers, and this puts the calendars' grants back on them.
"""

import importlib

from django.apps import apps

from tests.helpers.admin_roles import consultant_create, manager_create

_grants = importlib.import_module("calendars.migrations.0002_cal_staff_permissions")


def calendar_manager():
    user = manager_create()
    _grants.grant(apps, None)
    return user


def calendar_consultant(**kwargs):
    consultant = consultant_create(**kwargs)
    _grants.grant(apps, None)
    return consultant
