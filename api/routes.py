"""The JSON API at ``/api/v1/``: its operations, thin, over the selectors and services.

Every operation but ``GET /slots`` takes a staff token (``Authorization: Bearer``); a
token reads what its owner sees in the admin and, when read-write, changes what its
owner may change there. Bad input is a 422 naming each field, never a 500.
"""

import functools
import inspect
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Path
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger
from pydantic import AfterValidator, BeforeValidator, Field

from advisor.engine import DEFAULT_PRICES, ContractError, decide, validate
from advisor.engine import Assessment as Contract
from advisor.enums import AssessmentStatus
from advisor.models import PriceBook
from advisor.selectors import price_book_active
from api import selectors, services
from api.auth import RateLimited, TokenAuth, rate_check
from api.enums import TokenScope
from api.schemas import (
    AssessmentOut,
    AssessmentPage,
    BookingOut,
    BookingPage,
    CancelIn,
    ConsultantPage,
    Error,
    FieldErrors,
    OutcomeIn,
    Slots,
)
from bookings.enums import BookingStatus
from bookings.selectors import availability_get
from bookings.services import Outcome as ChangeOutcome
from consult.http import client_ip

# The largest id PostgreSQL's bigint holds: a larger one is no row, not an error.
MAX_ID = 2**63 - 1
MAX_PAGE = 100
MAX_SLOT_DAYS = 14
# The longest booking horizon the policy allows, and a day for time zones.
SLOTS_REACH = 366
CONTRACT_PREFIX = "Contract"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_text(value: object) -> object:
    # pydantic would also read a number as a date (seconds since 1970): refused, so
    # that a query string means one thing.
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _time_text(value: object) -> object:
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        raise ValueError("must be a time in ISO 8601, e.g. 2027-03-01T08:00:00Z")
    return value


def _utc(value: datetime) -> datetime:
    # A time without a zone is UTC; one whose UTC falls outside the calendar is refused.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the range of dates this API handles") from None


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Cursor = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="The next_cursor of the page before; opaque.",
    ),
]
UtcTime = Annotated[datetime, BeforeValidator(_time_text), AfterValidator(_utc)]
IsoDate = Annotated[date, BeforeValidator(_date_text)]


class ConsultAPI(NinjaAPI):
    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> Any:
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        # The advice contract is the engine's own pydantic model; its parts join the
        # document's components under names of their own.
        schema["components"]["schemas"].update(_contract_schemas())
        return schema


def _contract_schemas() -> dict[str, Any]:
    contract = Contract.model_json_schema(
        ref_template=f"#/components/schemas/{CONTRACT_PREFIX}{{model}}"
    )
    parts = {
        f"{CONTRACT_PREFIX}{name}": part
        for name, part in contract.pop("$defs", {}).items()
    }
    parts[f"{CONTRACT_PREFIX}Assessment"] = contract
    return parts


api = ConsultAPI(
    title="Consult API",
    version="1",
    description=(
        "Assessments, bookings and consultants, read with a staff token "
        "(`Authorization: Bearer cst_…`, made in the admin); the decision engine "
        "(`POST /advise`); and free slots (`GET /slots`, no token)."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
)


def _known_query_only(operation: Any) -> Any:
    """Refuse a query parameter the operation does not take: a misspelt filter
    (``update_since``) would otherwise be ignored and return everything."""
    known = set(inspect.signature(operation).parameters) - {"request"}

    @functools.wraps(operation)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise InputInvalid([(name, "is not a parameter here") for name in unknown])
        return operation(request, *args, **kwargs)

    return checked


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja's location starts with where the value came from ("query", "path",
    # "body"); a body's next part is the parameter the schema was bound to.
    parts = [str(part) for part in loc]
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or "(input)"


class InputInvalid(Exception):
    """Input refused field by field: ``errors`` holds (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _field_errors(request: HttpRequest, errors: list[tuple[str, str]]) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "The input is not valid.",
            "errors": [{"field": field, "message": msg} for field, msg in errors],
        },
        status=422,
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _field_errors(
        request,
        [
            (_field(error.get("loc", ())), str(error.get("msg", "")))
            for error in exc.errors
        ],
    )


@api.exception_handler(InputInvalid)
def _input_invalid(request: HttpRequest, exc: InputInvalid) -> HttpResponse:
    return _field_errors(request, exc.errors)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": f"Too many requests: try again in {exc.retry_after} s."},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


api.add_decorator(_known_query_only)

READ = {401: Error, 422: FieldErrors, 429: Error}
ONE = {**READ, 404: Error}
# A body that is not JSON at all is refused by the parser before any field is read.
WRITE = {**ONE, 400: Error, 403: Error, 409: Error}


def _page(page: selectors.Page) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


def _paged(
    queryset: Any, *, cursor: str | None, limit: int, by_change: bool = True
) -> selectors.Page:
    pager = selectors.page_by_change if by_change else selectors.page_by_id
    try:
        return pager(queryset, cursor=cursor, limit=limit)
    except selectors.CursorInvalid as exc:
        raise InputInvalid([("cursor", str(exc))]) from None


@api.get(
    "/assessments",
    response={200: AssessmentPage, **READ},
    summary="Assessments, oldest change first",
    tags=["assessments"],
)
def assessments_list(
    request: HttpRequest,
    status: AssessmentStatus | None = None,
    updated_since: UtcTime | None = None,
    cursor: Cursor | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 20,
) -> Any:
    rows = selectors.assessments_for(request.auth.owner)
    if status:
        rows = rows.filter(status=status)
    if updated_since:
        rows = rows.filter(updated_at__gte=updated_since)
    return _page(_paged(rows, cursor=cursor, limit=limit))


@api.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **ONE},
    summary="One assessment: answers, result, engine version",
    tags=["assessments"],
)
def assessment_get(request: HttpRequest, assessment_id: Path[Id]) -> Any:
    return get_object_or_404(
        selectors.assessments_for(request.auth.owner), pk=assessment_id
    )


@api.get(
    "/bookings",
    response={200: BookingPage, **READ},
    summary="Bookings, oldest change first",
    tags=["bookings"],
)
def bookings_list(  # noqa: PLR0913, PLR0917 -- one per filter
    request: HttpRequest,
    status: BookingStatus | None = None,
    consultant_id: Id | None = None,
    updated_since: UtcTime | None = None,
    cursor: Cursor | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 20,
) -> Any:
    rows = selectors.bookings_for(request.auth.owner)
    if status:
        rows = rows.filter(status=status)
    if consultant_id:
        rows = rows.filter(consultant_id=consultant_id)
    if updated_since:
        rows = rows.filter(updated_at__gte=updated_since)
    return _page(_paged(rows, cursor=cursor, limit=limit))


@api.get(
    "/bookings/{booking_id}",
    response={200: BookingOut, **ONE},
    summary="One booking",
    tags=["bookings"],
)
def booking_get(request: HttpRequest, booking_id: Path[Id]) -> Any:
    return get_object_or_404(selectors.bookings_for(request.auth.owner), pk=booking_id)


def _writable_booking(request: HttpRequest, booking_id: int) -> Any:
    token = request.auth
    booking = get_object_or_404(selectors.bookings_for(token.owner), pk=booking_id)
    if token.scope != TokenScope.WRITE:
        raise HttpError(403, "This token is read-only.")
    if not token.owner.has_perm("bookings.change_booking"):
        raise HttpError(403, "The token's owner may not change bookings.")
    return booking


@api.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **WRITE},
    summary="Cancel a booking (the client is emailed the reason)",
    tags=["bookings"],
)
def booking_cancel(request: HttpRequest, booking_id: Path[Id], data: CancelIn) -> Any:
    booking = _writable_booking(request, booking_id)
    result = services.api_booking_cancel(
        token=request.auth, booking=booking, reason=data.reason
    )
    if result.outcome != ChangeOutcome.CANCELLED:
        raise HttpError(
            409,
            "Only a confirmed booking, or one awaiting its outcome, can be cancelled.",
        )
    return result.booking


@api.post(
    "/bookings/{booking_id}/outcome",
    response={200: BookingOut, **WRITE},
    summary="Mark a call that has begun completed or a no-show",
    tags=["bookings"],
)
def booking_outcome(request: HttpRequest, booking_id: Path[Id], data: OutcomeIn) -> Any:
    booking = _writable_booking(request, booking_id)
    if not services.api_booking_outcome_record(
        token=request.auth, booking=booking, outcome=data.outcome
    ):
        raise HttpError(
            409, "Only a call that has begun and was not cancelled can be marked."
        )
    booking.refresh_from_db()
    return booking


@api.get(
    "/consultants",
    response={200: ConsultantPage, **READ},
    summary="Active consultants (public fields)",
    tags=["consultants"],
)
def consultants_list(
    request: HttpRequest,
    cursor: Cursor | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 20,
) -> Any:
    rows = selectors.consultants_public()
    return _page(_paged(rows, cursor=cursor, limit=limit, by_change=False))


@api.post(
    "/advise",
    response={200: dict[str, Any], 400: Error, **READ},
    summary="The engine's answer to an assessment contract; nothing is stored",
    tags=["advice"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "$ref": f"#/components/schemas/{CONTRACT_PREFIX}Assessment"
                    }
                }
            },
        }
    },
)
def advise(request: HttpRequest) -> Any:
    try:
        payload = _whole_numbers(json.loads(request.body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputInvalid([("(input)", f"not valid JSON: {exc}")]) from None
    try:
        contract = validate(payload)
    except ContractError as exc:
        raise InputInvalid(
            [(error.path, error.message) for error in exc.errors]
        ) from None
    try:
        prices = price_book_active().prices()
    except PriceBook.DoesNotExist:
        prices = DEFAULT_PRICES
    return decide(contract, prices).to_dict()


def _whole_numbers(value: Any) -> Any:
    """JSON has one kind of number: 12.0 is the integer 12 (JSON Schema agrees), though
    the engine, read from a file by ``manage.py advise``, asks for one spelling."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


@api.get(
    "/slots",
    auth=None,
    response={200: Slots, 422: FieldErrors, 429: Error},
    summary="Free slots over a few days (no token)",
    tags=["availability"],
)
def slots(
    request: HttpRequest,
    start_date: IsoDate | None = None,
    days: Annotated[int, Field(ge=1, le=MAX_SLOT_DAYS)] = 7,
    consultant_id: Id | None = None,
) -> Any:
    rate_check(scope="api:slots", key=client_ip(request), rate=settings.API_SLOTS_RATE)
    today = timezone.now().astimezone(UTC).date()
    first = start_date or today
    answer = {"start_date": first, "days": days, "slots": []}
    # Nothing is bookable outside the policy's horizon (a year at most): no need to
    # compute, and no date arithmetic near the calendar's ends.
    if not today - timedelta(days=1) <= first <= today + timedelta(days=SLOTS_REACH):
        return answer
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    window_end = window_start + timedelta(days=days)
    # Only the days asked for are read and computed, whatever the horizon and the
    # number of consultants.
    found = availability_get(
        consultant_id=consultant_id, window=(window_start, window_end)
    )
    answer["slots"] = [
        {
            "start": slot.start,
            "end": slot.end,
            "consultant_ids": sorted(int(key) for key in slot.consultant_keys),
        }
        for slot in found.slots
    ]
    return answer
