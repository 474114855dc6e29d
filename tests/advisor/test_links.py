"""An assessment's links: several private links at once, the links page that lists
and revokes them, and "last used"."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from advisor import links, selectors
from advisor.models import AssessmentLink
from advisor.services import assessment_submit
from consult.tokens import token_hash
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.wizard import url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def link_add(assessment, *, kind="private", origin="lost_link", note="", at=None):
    """A further link to ``assessment``; its token."""
    return links.assessment_link_create(
        assessment=assessment,
        kind=kind,
        origin=origin,
        note=note,
        now=at or timezone.now(),
    )


def link_of(token: str) -> AssessmentLink:
    return AssessmentLink.objects.get(token_hash=token_hash(token))


def links_page(client, token: str):
    return client.get(f"/assess/{token}/links/")


def test_links_page_lists_each_link_with_when_made_and_never_a_token(client):
    assessment = AssessmentFactory()
    AssessmentLink.objects.filter(token_hash=token_hash(assessment.token)).update(
        created_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    )
    other = link_add(assessment, at=datetime(2026, 12, 1, 17, 5, tzinfo=UTC))

    response = links_page(client, assessment.token)

    html = response.content.decode()
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", html, re.DOTALL)
    assert response.status_code == 200
    assert [re.sub(r"<[^>]+>", " ", row).split() for row in rows] == [
        # Newest first; the link in use is marked and has no revoke button.
        [
            *[
                "Sent",
                "by",
                "“Lost",
                "your",
                "link?”",
                "Tuesday",
                "1",
                "December",
                "2026,",
                "17:05",
            ],
            *[
                "Not",
                "yet",
                "Revoke",
                "the",
                "link",
                "made",
                "Tuesday",
                "1",
                "December",
                "2026,",
                "17:05",
            ],
        ],
        [
            *[
                "Made",
                "when",
                "you",
                "started",
                "the",
                "assessment",
                "The",
                "link",
                "you",
                "are",
                "using",
            ],
            *["Monday", "2", "November", "2026,", "09:30"],
            *timezone.localtime(link_of(assessment.token).last_used_at, UTC)
            .strftime("%A %-d %B %Y, %H:%M")
            .split(),
        ],
    ]
    assert assessment.token not in html.replace(f"/assess/{assessment.token}/", "")
    assert other not in html
    assert token_hash(other) not in html


@pytest.mark.parametrize(
    ("submitted", "back"), [(False, "about"), (True, "result")], ids=["draft", "result"]
)
def test_links_page_leads_back_to_where_the_client_was(client, submitted, back):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    if submitted:
        assessment_submit(assessment=assessment)

    html = links_page(client, assessment.token).content.decode()

    assert f'<p><a href="/assess/{assessment.token}/{back}/">Back to your ' in html


def test_links_page_shows_times_in_the_zone_asked_across_a_clock_change(client):
    assessment = AssessmentFactory()
    link_add(assessment, at=datetime(2026, 3, 28, 12, 0, tzinfo=UTC))  # GMT
    link_add(assessment, at=datetime(2026, 3, 29, 12, 0, tzinfo=UTC))  # BST

    html = client.get(
        f"/assess/{assessment.token}/links/", {"tz": "Europe/London"}
    ).content.decode()

    assert "All times in London time." in html
    assert "Sunday 29 March 2026, 13:00</td>" in html
    assert "Saturday 28 March 2026, 12:00</td>" in html


def test_a_fresh_link_leaves_the_old_one_working(client):
    assessment = AssessmentFactory()

    fresh = link_add(assessment)

    assert client.get(url("about", assessment)).status_code == 200
    assert client.get(f"/assess/{fresh}/about/").status_code == 200


def test_revoking_a_link_stops_it_and_keeps_the_one_in_use(client):
    assessment = AssessmentFactory()
    other = link_add(assessment)

    response = client.post(
        f"/assess/{assessment.token}/links/",
        {"action": "revoke", "link": link_of(other).pk},
    )

    assert response.status_code == 303
    assert response["Location"] == f"/assess/{assessment.token}/links/"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/assess/{other}/about/").status_code == 404
    assert client.get(f"/assess/{other}/links/").status_code == 404
    page = client.get(response["Location"]).content.decode()
    assert "The link is revoked: it no longer opens anything." in page
    assert link_of(other).revoked_at is not None
    assert client.get(url("about", assessment)).status_code == 200


def test_revoking_others_leaves_only_the_link_in_use_and_the_share_links(client):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    assessment_submit(assessment=assessment)
    first, second = link_add(assessment), link_add(assessment)
    share = link_add(assessment, kind="share", origin="forwarded", note="cfo@x.com")

    response = client.post(
        f"/assess/{second}/links/", {"action": "revoke_others"}, follow=True
    )

    assert (
        "2 other private links revoked: only this one opens your assessment now."
        in response.content.decode()
    )
    assert [
        client.get(f"/assess/{token}/result/").status_code
        for token in (assessment.token, first, second)
    ] == [404, 404, 200]
    assert client.get(f"/assess/shared/{share}/").status_code == 200


def test_the_link_in_use_cannot_be_revoked_from_its_own_page(client):
    assessment = AssessmentFactory()

    response = client.post(
        f"/assess/{assessment.token}/links/",
        {"action": "revoke", "link": link_of(assessment.token).pk},
        follow=True,
    )

    assert (
        "That link was already revoked, or is the one you are using."
        in response.content.decode()
    )
    assert link_of(assessment.token).revoked_at is None


def test_a_link_of_another_assessment_cannot_be_revoked(client):
    mine, theirs = AssessmentFactory(), AssessmentFactory()

    client.post(
        f"/assess/{mine.token}/links/",
        {"action": "revoke", "link": link_of(theirs.token).pk},
    )

    assert link_of(theirs.token).revoked_at is None
    assert client.get(url("about", theirs)).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "revoke"}, "Choose the link to revoke."),
        ({"action": "revoke", "link": "abc"}, "Enter a whole number."),
        ({"action": "delete-everything"}, "Select a valid choice."),
        ({}, "This field is required."),
    ],
)
def test_links_page_bad_input_is_a_clear_400_and_revokes_nothing(client, data, message):
    assessment = AssessmentFactory()
    other = link_add(assessment)

    response = client.post(f"/assess/{assessment.token}/links/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert link_of(other).revoked_at is None


def test_links_page_reading_revokes_nothing(client):
    assessment = AssessmentFactory()
    other = link_add(assessment)

    client.get(f"/assess/{assessment.token}/links/?action=revoke_others")

    assert link_of(other).revoked_at is None


def test_links_page_refuses_a_post_without_csrf(client):
    strict = Client(enforce_csrf_checks=True)
    assessment = AssessmentFactory()
    other = link_add(assessment)

    response = strict.post(
        f"/assess/{assessment.token}/links/", {"action": "revoke_others"}
    )

    assert response.status_code == 403
    assert link_of(other).revoked_at is None


def test_a_share_link_opens_no_private_page(client):
    assessment = AssessmentFactory()
    share = link_add(assessment, kind="share", origin="forwarded")

    assert client.get(f"/assess/{share}/about/").status_code == 404
    assert client.get(f"/assess/{share}/links/").status_code == 404
    assert client.get(f"/assess/{share}/delete/").status_code == 404


def test_a_link_records_when_it_was_last_used_at_most_every_few_minutes(client):
    assessment = AssessmentFactory()
    link = link_of(assessment.token)
    assert link.last_used_at is None

    client.get(url("about", assessment))
    first = link_of(assessment.token).last_used_at
    client.get(url("about", assessment))
    second = link_of(assessment.token).last_used_at
    AssessmentLink.objects.filter(pk=link.pk).update(
        last_used_at=first - links.LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    client.get(url("about", assessment))
    third = link_of(assessment.token).last_used_at

    assert first is not None
    assert second == first
    assert third > first


def test_lookup_by_token_refuses_revoked_unknown_and_overlong_tokens():
    assessment = AssessmentFactory()
    revoked = link_add(assessment)
    AssessmentLink.objects.filter(token_hash=token_hash(revoked)).update(
        revoked_at=timezone.now()
    )

    found = [
        selectors._assessment_by_link(token, "private", use_cases=False)
        for token in (assessment.token, revoked, "x" * 43, "a" * 65, "")
    ]

    assert [item.pk if item else None for item in found] == [
        assessment.pk,
        None,
        None,
        None,
        None,
    ]
    assert TOKEN.fullmatch(revoked)


@pytest.mark.parametrize("count", [1, 3])
def test_links_page_query_count_does_not_grow_with_links(
    client, django_assert_num_queries, count
):
    assessment = AssessmentFactory()
    for _ in range(count):
        link_add(assessment)
    # The first visit notes when the link was used (one write every few minutes).
    links_page(client, assessment.token)

    # The assessment with its link, then its links.
    with django_assert_num_queries(2):
        response = links_page(client, assessment.token)

    assert response.content.decode().count('name="action" value="revoke"') == count
