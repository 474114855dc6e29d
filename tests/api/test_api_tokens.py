"""Staff API tokens: what each one may read and change, revoked ones refused, each
counted against its own rate limit."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from api.enums import TokenScope
from api.models import ApiToken
from api.services import api_token_hash, api_token_revoke
from bookings.enums import BookingStatus
from tests.api.conftest import ApiClient
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.admin_roles import manager_create

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"detail": "Unauthorized"}


def _future_booking(**kwargs):
    start = timezone.now() + timedelta(days=3)
    return BookingFactory(start=start, end=start + timedelta(minutes=30), **kwargs)


def test_a_request_without_a_token_or_with_a_wrong_one_is_refused(anonymous_api):
    wrong = ApiClient("cst_not-a-token-we-gave-out")

    answers = [anonymous_api.get("/bookings"), wrong.get("/bookings")]

    assert [a.status_code for a in answers] == [401, 401]
    assert [a.json() for a in answers] == [UNAUTHORIZED, UNAUTHORIZED]


def test_a_revoked_token_is_refused_everywhere(make_token):
    made = make_token(manager_create(), TokenScope.WRITE)
    api = ApiClient(made.secret)
    booking = _future_booking()
    assert api.get("/bookings").status_code == 200

    api_token_revoke(token=made.token)

    answers = [
        api.get("/bookings"),
        api.get(f"/bookings/{booking.pk}"),
        api.get("/assessments"),
        api.get("/consultants"),
        api.post(f"/bookings/{booking.pk}/cancel", {"reason": "No longer needed"}),
        api.post("/advise", {}),
    ]
    assert [a.status_code for a in answers] == [401] * 6
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_token_whose_owner_left_the_staff_is_refused(make_token):
    owner = manager_create()
    api = ApiClient(make_token(owner).secret)
    owner.is_active = False
    owner.save()

    assert api.get("/bookings").status_code == 401


def test_a_read_only_token_cannot_cancel_or_mark(make_token):
    api = ApiClient(make_token(manager_create(), TokenScope.READ).secret)
    booking = _future_booking()

    answers = [
        api.post(f"/bookings/{booking.pk}/cancel", {"reason": "Clash"}),
        api.post(f"/bookings/{booking.pk}/outcome", {"outcome": "completed"}),
    ]

    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == {"detail": "This token is read-only."}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert LogEntry.objects.count() == 0


def test_a_consultant_token_reads_only_their_own_bookings(consultant, consultant_api):
    mine = _future_booking(consultant=consultant)
    theirs = _future_booking(consultant=ConsultantFactory())

    listed = consultant_api.get("/bookings").json()["items"]
    other = consultant_api.get(f"/bookings/{theirs.pk}")
    cancel = consultant_api.post(f"/bookings/{theirs.pk}/cancel", {"reason": "Mine?"})

    assert [item["id"] for item in listed] == [mine.pk]
    assert (other.status_code, cancel.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED


def test_a_consultant_token_reads_only_assessments_their_calls_came_from(
    consultant, consultant_api
):
    booked_with_me = AssessmentFactory()
    _future_booking(consultant=consultant, assessment=booked_with_me)
    elsewhere = AssessmentFactory()
    _future_booking(consultant=ConsultantFactory(), assessment=elsewhere)

    listed = consultant_api.get("/assessments").json()["items"]

    assert [item["id"] for item in listed] == [booked_with_me.pk]
    assert consultant_api.get(f"/assessments/{elsewhere.pk}").status_code == 404


def test_a_read_write_token_cancels_through_the_service_and_is_logged(manager_api):
    booking = _future_booking()

    answer = manager_api.post(
        f"/bookings/{booking.pk}/cancel", {"reason": "The consultant is ill"}
    )
    again = manager_api.post(f"/bookings/{booking.pk}/cancel", {"reason": "Twice"})

    booking.refresh_from_db()
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        BookingStatus.CANCELLED,
        "staff",
        "The consultant is ill",
    )
    assert again.status_code == 409
    assert list(LogEntry.objects.values_list("object_id", "change_message")) == [
        (
            str(booking.pk),
            "Cancelled: The consultant is ill (through the API, token “CRM sync”)",
        )
    ]


def test_marking_an_outcome_needs_a_call_that_has_begun(manager_api):
    upcoming = _future_booking()
    started = timezone.now() - timedelta(minutes=10)
    held = BookingFactory(start=started, end=started + timedelta(minutes=30))

    early = manager_api.post(f"/bookings/{upcoming.pk}/outcome", {"outcome": "no_show"})
    done = manager_api.post(f"/bookings/{held.pk}/outcome", {"outcome": "no_show"})

    assert early.status_code == 409
    assert (done.status_code, done.json()["status"]) == (200, "no_show")
    assert LogEntry.objects.get().change_message == (
        "Marked no-show. (through the API, token “CRM sync”)"
    )


def test_tokens_are_kept_hashed_and_their_last_use_recorded(make_token):
    made = make_token(manager_create())
    assert made.token.last_used_at is None

    ApiClient(made.secret).get("/consultants")

    stored = ApiToken.objects.get()
    assert stored.token_hash == api_token_hash(made.secret)
    assert made.secret not in {stored.prefix, stored.token_hash, stored.name}
    assert made.secret.startswith(stored.prefix)
    assert stored.last_used_at is not None


def test_each_token_has_its_own_rate_limit(make_token, settings):
    settings.API_TOKEN_RATE = "2/m"
    busy = ApiClient(make_token(manager_create()).secret)
    other = ApiClient(make_token(manager_create(username="other")).secret)

    codes = [busy.get("/consultants").status_code for _ in range(3)]
    limited = busy.get("/consultants")

    assert codes == [200, 200, 429]
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["detail"].startswith("Too many requests")
    assert other.get("/consultants").status_code == 200
