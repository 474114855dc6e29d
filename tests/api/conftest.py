"""API tokens for the tests, and a client that sends them."""

import importlib

import pytest
from django.test import Client

from api.enums import TokenScope
from api.services import api_token_create
from tests.helpers.admin_roles import consultant_create, manager_create

_grants = importlib.import_module("api.migrations.0002_api_managers")


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data=None, **extra):
        import json  # noqa: PLC0415

        body = data if isinstance(data, (str, bytes)) else json.dumps(data or {})
        return self.client.post(
            f"/api/v1{path}",
            body,
            content_type="application/json",
            headers=self.headers,
            **extra,
        )


@pytest.fixture
def make_token(db):
    def make(owner, scope=TokenScope.READ, name="CRM sync"):
        return api_token_create(name=name, owner=owner, scope=scope)

    return make


@pytest.fixture
def manager_api(make_token):
    """A read-write token of a manager: sees and changes every booking."""
    made = make_token(manager_create(), TokenScope.WRITE)
    return ApiClient(made.secret)


@pytest.fixture
def consultant():
    return consultant_create()


@pytest.fixture
def consultant_api(make_token, consultant):
    made = make_token(consultant.user, TokenScope.WRITE, name="My calendar")
    return ApiClient(made.secret)


@pytest.fixture
def anonymous_api():
    return ApiClient(None)


@pytest.fixture
def manager(db):
    """A member of Managers with the API permissions its migration grants (tests
    that flush the database take them away)."""
    from django.apps import apps  # noqa: PLC0415 -- needs settings

    user = manager_create(username="token-admin")
    _grants.grant(apps, None)
    return user
