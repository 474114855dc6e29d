"""What the data migrations that grant the staff groups their permissions share.

Kept apart from the apps' code so that a migration imports nothing that needs the
models loaded: it is given the migration's ``apps`` and works on those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.management import create_permissions

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.apps.registry import Apps

ALL = ("add", "change", "delete", "view")


def permissions_ensure(apps: Apps, app_label: str) -> None:
    """The permissions of ``app_label``'s models, made now if missing.

    On a new database Django creates permissions after the last migration
    (post_migrate); a migration granting them needs them before.
    """
    config = apps.get_app_config(app_label)
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = original


def _codenames(models: Mapping[str, Iterable[str]]) -> list[str]:
    return [
        f"{action}_{model}" for model, actions in models.items() for action in actions
    ]


def group_permissions_grant(
    apps: Apps, app_label: str, grants: Mapping[str, Mapping[str, Iterable[str]]]
) -> None:
    """Give each group of ``grants`` (made if missing) those permissions on
    ``app_label``'s models. Adds only: what someone granted by hand is kept."""
    permissions_ensure(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = _codenames(models)
        found = list(
            Permission.objects.filter(
                content_type__app_label=app_label, codename__in=wanted
            )
        )
        # A misspelt grant must fail the migration, not pass granting less.
        missing = set(wanted) - {permission.codename for permission in found}
        if missing:
            raise LookupError(
                f"No permission {', '.join(sorted(missing))} in {app_label}."
            )
        group.permissions.add(*found)


def group_permissions_revoke(
    apps: Apps, app_label: str, grants: Mapping[str, Mapping[str, Iterable[str]]]
) -> None:
    """Take back from the groups that exist what ``group_permissions_grant`` gave."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=_codenames(models)
                )
            )
