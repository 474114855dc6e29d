"""What the API reads: bookings and assessments by last change, paged by cursor; the
public fields of consultants; the engine's advice without storing; free slots."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from advisor.engine import DEFAULT_PRICES, decide, validate
from advisor.models import Assessment
from advisor.services import assessment_submit
from bookings.enums import BookingStatus
from bookings.models import Booking
from bookings.selectors import availability_get
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory

pytestmark = pytest.mark.django_db

CONTRACT = {
    "organization": {"industry": "retail", "ml_engineers": 1},
    "use_cases": [
        {"name": "Support replies", "task": "summarization", "monthly_requests": 20000}
    ],
}


def _booking_at(hours: int, **kwargs):
    start = datetime(2027, 3, 2, 9, 0, tzinfo=UTC) + timedelta(hours=hours)
    return BookingFactory(start=start, end=start + timedelta(minutes=30), **kwargs)


def test_bookings_are_paged_by_cursor_without_gaps_or_repeats(manager_api):
    made = [_booking_at(hours) for hours in range(5)]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = manager_api.get("/bookings", **params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == [booking.pk for booking in made]


def test_bookings_filter_by_status_and_change_time(manager_api):
    old, recent = _booking_at(0), _booking_at(1)
    cancelled = _booking_at(2, status=BookingStatus.CANCELLED)
    long_ago = timezone.now() - timedelta(days=10)
    Booking.objects.filter(pk=old.pk).update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).isoformat()

    changed = manager_api.get("/bookings", updated_since=since).json()["items"]
    confirmed = manager_api.get("/bookings", status="confirmed").json()["items"]

    assert [item["id"] for item in changed] == [recent.pk, cancelled.pk]
    assert sorted(item["id"] for item in confirmed) == sorted([old.pk, recent.pk])


def test_a_booking_reads_in_utc_without_its_private_link(manager_api):
    consultant = ConsultantFactory(display_name="Ada")
    booking = _booking_at(0, consultant=consultant, client_timezone="Asia/Tokyo")

    body = manager_api.get(f"/bookings/{booking.pk}").json()

    assert body["start"] == "2027-03-02T09:00:00Z"
    assert body["end"] == "2027-03-02T09:30:00Z"
    assert body["consultant"] == {"id": consultant.pk, "name": "Ada"}
    assert body["client"]["timezone"] == "Asia/Tokyo"
    assert body["status"] == "confirmed"
    hashes = booking.links.values_list("token_hash", flat=True)
    assert [h for h in hashes if h in str(body)] == []


@pytest.mark.usefixtures("active_price_book")
def test_an_assessment_reads_with_its_answers_result_and_engine_version(manager_api):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    recommendation = assessment_submit(assessment=assessment)

    body = manager_api.get(f"/assessments/{assessment.pk}").json()

    assert body["status"] == "submitted"
    assert body["contact"]["email"] == assessment.contact_email
    assert body["answers"]["use_cases"][0]["name"] == assessment.use_cases.get().name
    assert body["result"]["engine_version"] == recommendation.engine_version
    assert body["result"]["stack"] == recommendation.stack
    assert body["result"]["output"] == recommendation.output
    hashes = assessment.links.values_list("token_hash", flat=True)
    assert [h for h in hashes if h in str(body)] == []


def test_assessments_filter_by_status(manager_api):
    draft = AssessmentFactory()
    submitted = AssessmentFactory(
        status=Assessment.Status.SUBMITTED, submitted_at=timezone.now()
    )

    drafts = manager_api.get("/assessments", status="draft").json()["items"]
    done = manager_api.get("/assessments", status="submitted").json()["items"]

    assert [item["id"] for item in drafts] == [draft.pk]
    assert [item["id"] for item in done] == [submitted.pk]
    assert done[0]["result"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"status": "maybe"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),
    ],
)
def test_bad_list_parameters_are_named_in_a_422(manager_api, params, field):
    answer = manager_api.get("/bookings", **params)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_consultants_show_public_fields_only(manager_api):
    active = ConsultantFactory(display_name="Grace", expertise=["api"])
    ConsultantFactory(is_active=False)

    body = manager_api.get("/consultants").json()

    assert body == {
        "items": [
            {
                "id": active.pk,
                "name": "Grace",
                "bio": active.bio,
                "timezone": "Europe/London",
                "expertise": ["api"],
            }
        ],
        "next_cursor": None,
    }


@pytest.mark.usefixtures("active_price_book")
def test_advise_answers_as_the_engine_does_and_stores_nothing(manager_api):
    answer = manager_api.post("/advise", CONTRACT)

    assert answer.status_code == 200
    assert answer.json() == decide(validate(CONTRACT), DEFAULT_PRICES).to_dict()
    assert Assessment.objects.count() == 0


def test_advise_names_each_bad_field_like_manage_py_advise(manager_api):
    bad = {"use_cases": [{"name": "", "task": "guessing", "monthly_requests": -1}]}

    answer = manager_api.post("/advise", bad)
    not_json = manager_api.post("/advise", "{not json")

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [
        "use_cases[0].name",
        "use_cases[0].task",
        "use_cases[0].monthly_requests",
    ]
    assert not_json.status_code == 422
    assert not_json.json()["errors"][0]["field"] == "(input)"


def test_slots_need_no_token_and_stay_within_the_days_asked(anonymous_api):
    consultant = ConsultantFactory()
    today = timezone.now().astimezone(UTC).date()
    tomorrow = today + timedelta(days=1)

    body = anonymous_api.get(
        "/slots", start_date=tomorrow.isoformat(), days=1, consultant_id=consultant.pk
    ).json()

    starts = [slot["start"] for slot in body["slots"]]
    assert body["start_date"] == tomorrow.isoformat()
    assert starts
    assert {start[:10] for start in starts} == {tomorrow.isoformat()}
    assert {tuple(slot["consultant_ids"]) for slot in body["slots"]} == {
        (consultant.pk,)
    }


def test_slots_of_a_few_days_are_those_of_the_whole_horizon_in_those_days(
    anonymous_api,
):
    consultants = [
        ConsultantFactory(timezone=zone)
        for zone in ("Europe/Berlin", "America/New_York", "Asia/Kolkata")
    ]
    BookingFactory(consultant=consultants[0])
    start = timezone.now().astimezone(UTC).date() + timedelta(days=2)
    low = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    high = low + timedelta(days=3)

    body = anonymous_api.get("/slots", start_date=start.isoformat(), days=3).json()

    expected = [slot for slot in availability_get().slots if low <= slot.start < high]
    assert expected
    assert [
        (datetime.fromisoformat(slot["start"]), tuple(slot["consultant_ids"]))
        for slot in body["slots"]
    ] == [
        (slot.start, tuple(sorted(int(key) for key in slot.consultant_keys)))
        for slot in expected
    ]


def test_slots_refuse_more_than_two_weeks_at_once(anonymous_api):
    answer = anonymous_api.get("/slots", days=15)

    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["days"]


def test_slots_beyond_any_horizon_are_none(anonymous_api):
    ConsultantFactory()

    body = anonymous_api.get("/slots", start_date="9999-12-31", days=14).json()

    assert body == {"start_date": "9999-12-31", "days": 14, "slots": []}


def test_slots_are_rate_limited_per_address(anonymous_api, settings):
    settings.API_SLOTS_RATE = "2/m"

    codes = [anonymous_api.get("/slots", days=1).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_a_misspelt_filter_is_refused_not_ignored(manager_api):
    answer = manager_api.get("/bookings", update_since="2027-01-01T00:00:00Z")

    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "update_since", "message": "is not a parameter here"}
    ]


@pytest.mark.usefixtures("active_price_book")
def test_advise_reads_a_whole_number_written_with_a_point_as_that_number(manager_api):
    with_points = {
        "use_cases": [
            {
                "name": "Support replies",
                "task": "summarization",
                "monthly_requests": 2e4,
            }
        ]
    }

    answer = manager_api.post("/advise", with_points)

    assert answer.status_code == 200
    assert (
        answer.json()
        == manager_api.post("/advise", CONTRACT | {"organization": {}}).json()
    )
