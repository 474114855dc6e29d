"""The helper the permission migrations share: grants add only, a misspelt grant
fails rather than granting less, and taking back removes only what was granted."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from consult.migration_helpers import group_permissions_grant, group_permissions_revoke

pytestmark = pytest.mark.django_db

GRANTS = {"Auditors": {"apitoken": ("view", "change")}}


def codenames(name: str) -> set[str]:
    return set(
        Group.objects.get(name=name).permissions.values_list("codename", flat=True)
    )


def test_grant_makes_the_group_and_adds_to_what_was_granted_by_hand():
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_booking"))

    group_permissions_grant(apps, "api", GRANTS)
    group_permissions_grant(apps, "api", GRANTS)

    assert codenames("Auditors") == {"view_booking", "view_apitoken", "change_apitoken"}


def test_a_misspelt_grant_fails_and_names_what_is_missing():
    with pytest.raises(LookupError, match="view_apitokens"):
        group_permissions_grant(apps, "api", {"Auditors": {"apitokens": ("view",)}})


def test_revoke_takes_back_only_what_the_grant_gave():
    group_permissions_grant(apps, "api", GRANTS)
    Group.objects.get(name="Auditors").permissions.add(
        Permission.objects.get(codename="view_booking")
    )

    group_permissions_revoke(apps, "api", GRANTS)
    group_permissions_revoke(apps, "api", {"Nobody": {"apitoken": ("view",)}})

    assert codenames("Auditors") == {"view_booking"}
    assert not Group.objects.filter(name="Nobody").exists()
