"""API tokens in the admin: made by managers, shown once, revoked; hidden from
consultants."""

import pytest
from django.urls import reverse

from api.enums import TokenScope
from api.models import ApiToken
from api.services import api_token_hash
from tests.api.conftest import ApiClient
from tests.helpers.admin_roles import consultant_create, superuser_create

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_apitoken_add")
NO_STORE = "private, no-store, max-age=0, no-cache, must-revalidate"


def test_a_manager_makes_a_token_shown_once_that_works(client, manager, consultant):
    client.force_login(manager)

    response = client.post(
        ADD, {"name": "HubSpot", "owner": consultant.user.pk, "scope": "read"}
    )

    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    assert secret in response.content.decode()
    assert token.token_hash == api_token_hash(secret)
    assert (token.owner, token.scope) == (consultant.user, TokenScope.READ)
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert secret not in page.content.decode()
    assert ApiClient(secret).get("/bookings").status_code == 200


def test_revoking_in_the_admin_stops_the_token(client, manager, make_token):
    client.force_login(manager)
    made = make_token(manager)

    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [made.token.pk]},
    )

    made.token.refresh_from_db()
    assert made.token.revoked_at is not None
    assert ApiClient(made.secret).get("/bookings").status_code == 401


def test_consultants_cannot_see_or_make_tokens(client):
    consultant = consultant_create()
    client.force_login(consultant.user)

    answers = [
        client.get(reverse("admin:api_apitoken_changelist")),
        client.get(ADD),
    ]

    assert [a.status_code for a in answers] == [403, 403]


def test_a_manager_cannot_make_a_token_acting_as_a_superuser(client, manager):
    client.force_login(manager)
    root = superuser_create()

    response = client.post(ADD, {"name": "Root", "owner": root.pk, "scope": "write"})

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["owner"]
    assert ApiToken.objects.count() == 0
