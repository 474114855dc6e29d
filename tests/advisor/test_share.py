"""A result's read-only share links: the page they open, "forward to a colleague",
and revoking them."""

import re

import pytest
from django.utils import timezone

from advisor import links, services
from advisor.models import AssessmentLink
from consult.models import OutboundEmail
from consult.tokens import token_hash
from tests.factories.advisor import AssessmentFactory, three_path_use_cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

SHARE_URL = re.compile(r"http://testserver(/assess/shared/[A-Za-z0-9_-]{43}/)")


@pytest.fixture
def result():
    """A submitted assessment with three use cases; its private token in ``.token``."""
    assessment = AssessmentFactory(contact_name="Ada Lovelace", company="Engines")
    three_path_use_cases(assessment)
    services.assessment_submit(assessment=assessment)
    return assessment


def share_of(assessment) -> str:
    return links.assessment_link_create(
        assessment=assessment, kind="share", origin="forwarded", note="cfo@x.com"
    )


def test_share_page_shows_the_result_read_only(client, result):
    share = share_of(result)

    response = client.get(f"/assess/shared/{share}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<h1 id="verdict-heading">Your stack: ' in html
    assert "A read-only copy shared by Ada Lovelace." in html
    assert [
        name
        for name in ("Support summaries", "Invoice fields", "Card fraud")
        if "<h3 id=" in html and f">{name}</h3>" in html
    ] == ["Support summaries", "Invoice fields", "Card fraud"]
    assert html.count("Your options side by side") == 3
    assert html.count('<figure class="chart">') == 3


def test_share_page_has_no_control_and_no_private_link(client, result):
    share = share_of(result)

    html = client.get(f"/assess/shared/{share}/").content.decode()

    assert result.token not in html
    assert 'method="post"' not in html
    for control in (
        "/delete/",
        "/links/",
        "/forward/",
        "/email-link/",
        "summary.pdf",
        "?assessment=",
        "Delete my data",
        "Book a free 30-minute consultation",
        "Email me this result",
    ):
        assert control not in html, control


def test_share_link_of_a_draft_is_a_404(client):
    draft = AssessmentFactory()
    share = share_of(draft)

    assert client.get(f"/assess/shared/{share}/").status_code == 404


def test_private_token_opens_no_share_page_and_junk_is_a_404(client, result):
    for token in (result.token, "x" * 43, token_hash(result.token), "a" * 300):
        response = client.get(f"/assess/shared/{token}/")
        assert response.status_code == 404, token
        assert b"Engines" not in response.content


def test_revoked_share_link_is_a_404(client, result):
    share = share_of(result)
    link = AssessmentLink.objects.get(token_hash=token_hash(share))

    client.post(f"/assess/{result.token}/links/", {"action": "revoke", "link": link.pk})

    assert client.get(f"/assess/shared/{share}/").status_code == 404


def test_links_page_lists_share_links_with_whom_they_went_to(client, result):
    share_of(result)

    html = client.get(f"/assess/{result.token}/links/").content.decode()

    shared_part = html.split("<h2>Read-only share links</h2>")[1]
    assert 'Sent to a colleague<span class="links-table__note">cfo@x.com</span>' in (
        shared_part
    )


def test_forward_sends_the_colleague_a_share_link_and_never_the_private_one(
    client, result, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assess/{result.token}/forward/", {"email": " CFO@Example.com"}
        )

    assert response.status_code == 303
    assert response["Location"] == f"/assess/{result.token}/result/"
    [sent] = mailoutbox
    assert sent.to == ["cfo@example.com"]
    assert sent.subject == "Ada Lovelace shared an AI stack recommendation for Engines"
    [path] = SHARE_URL.findall(sent.body)
    assert set(SHARE_URL.findall(sent.alternatives[0].content)) == {path}
    assert result.token not in sent.body
    assert result.token not in sent.alternatives[0].content
    assert client.get(path).status_code == 200
    link = AssessmentLink.objects.get(origin="forwarded")
    assert (link.kind, link.note) == ("share", "cfo@example.com")
    # Named after the assessment, so erasing the client's data erases it too.
    assert (
        OutboundEmail.objects.about(result).filter(kind="assessment_shared").count()
        == 1
    )
    page = client.get(response["Location"]).content.decode()
    assert "We are emailing a read-only link to this result to cfo@example.com." in (
        page
    )


def test_forward_to_a_bad_address_is_a_clear_error_and_sends_nothing(
    client, result, mailoutbox
):
    response = client.post(f"/assess/{result.token}/forward/", {"email": "cfo at x"})

    assert response.status_code == 422
    assert (
        '<a href="#id_email">Enter an email address like name@example.com.</a>'
        in response.content.decode()
    )
    assert not OutboundEmail.objects.exists()
    assert not AssessmentLink.objects.filter(kind="share").exists()


def test_forward_stops_at_the_daily_limit(client, result, mailoutbox):
    now = timezone.now()
    for n in range(services.FORWARD_DAILY_LIMIT):
        services.assessment_forward(
            assessment=result, to=f"colleague{n}@example.com", now=now
        )

    response = client.post(
        f"/assess/{result.token}/forward/",
        {"email": "one.more@example.com"},
        REMOTE_ADDR="10.1.2.3",
    )

    assert response.status_code == 429
    assert "forwarded as often as it can be today" in response.content.decode()
    assert (
        OutboundEmail.objects.filter(kind="assessment_shared").count()
        == services.FORWARD_DAILY_LIMIT
    )


def test_forward_of_a_draft_goes_back_to_the_wizard(client):
    draft = AssessmentFactory()

    response = client.post(f"/assess/{draft.token}/forward/", {"email": "a@b.com"})

    assert response.status_code == 303
    assert response["Location"] == f"/assess/{draft.token}/check/"
    assert not OutboundEmail.objects.exists()


def test_forward_page_is_rate_limited_per_address(client, result):
    statuses = [
        client.post(
            f"/assess/{result.token}/forward/",
            {"email": "same@example.com"},
            REMOTE_ADDR=f"10.9.1.{n}",
        ).status_code
        for n in range(6)
    ]

    assert statuses == [303, 303, 303, 303, 303, 429]


def test_result_page_offers_forwarding_and_the_links_page(client, result):
    html = client.get(f"/assess/{result.token}/result/").content.decode()

    assert f'href="/assess/{result.token}/forward/">Forward to a colleague' in html
    assert f'href="/assess/{result.token}/links/">Your links' in html


def test_links_page_makes_a_read_only_link_and_shows_it_once(client, result):
    response = client.post(f"/assess/{result.token}/links/", {"action": "share"})

    html = response.content.decode()
    [path] = re.findall(
        r'value="http://testserver(/assess/shared/[A-Za-z0-9_-]{43}/)"', html
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Copy it now: we keep only a fingerprint of it" in html
    assert client.get(path).status_code == 200
    assert AssessmentLink.objects.get(origin="made").kind == "share"
    again = client.get(f"/assess/{result.token}/links/").content.decode()
    assert path not in again
    assert "Made on this page" in again


def test_a_draft_has_no_share_link_to_make(client):
    draft = AssessmentFactory()

    response = client.post(f"/assess/{draft.token}/links/", {"action": "share"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not AssessmentLink.objects.filter(kind="share").exists()


def test_opening_a_share_link_shows_on_the_clients_links_page(client, result):
    share = share_of(result)
    assert AssessmentLink.objects.get(token_hash=token_hash(share)).last_used_at is None

    client.get(f"/assess/shared/{share}/")

    link = AssessmentLink.objects.get(token_hash=token_hash(share))
    html = client.get(f"/assess/{result.token}/links/").content.decode()
    shared_part = html.split("<h2>Read-only share links</h2>")[1]
    assert link.last_used_at is not None
    assert '<td data-label="Last used">Not yet</td>' not in shared_part
