"""What the API reads and writes, as pydantic models (the OpenAPI document is made from
them). Times are UTC (the database gives them so, and pydantic writes them with a Z).
Nothing here carries a private link or its hash."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from advisor.enums import AssessmentStatus, ReviewStatus
from advisor.selectors import assessment_contract
from api.enums import Outcome
from bookings.enums import BookingStatus, CancelledBy, Expertise


class Error(Schema):
    detail: str


class FieldError(Schema):
    field: str = Field(description="Where in the input, e.g. use_cases[0].task.")
    message: str


class FieldErrors(Schema):
    detail: str
    errors: list[FieldError]


class ConsultantRef(Schema):
    id: int
    name: str


class Client(Schema):
    name: str
    email: str
    company: str
    timezone: str


class BookingOut(Schema):
    id: int
    uid: str = Field(description="Stable and public: the calendar event's UID.")
    status: BookingStatus
    start: datetime
    end: datetime
    consultant: ConsultantRef
    client: Client
    topic: str
    assessment_id: int | None
    stack: str
    cancelled_by: CancelledBy | None
    cancel_reason: str
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_uid(obj: Any) -> str:
        return str(obj.uid)

    @staticmethod
    def resolve_consultant(obj: Any) -> dict[str, Any]:
        return {"id": obj.consultant_id, "name": obj.consultant.display_name}

    @staticmethod
    def resolve_client(obj: Any) -> dict[str, Any]:
        return {
            "name": obj.name,
            "email": obj.email,
            "company": obj.company,
            "timezone": obj.client_timezone,
        }

    @staticmethod
    def resolve_cancelled_by(obj: Any) -> str | None:
        return obj.cancelled_by or None


class BookingPage(Schema):
    items: list[BookingOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null on the last one."
    )


class Contact(Schema):
    name: str
    email: str
    company: str
    role: str
    consents_to_contact: bool


class Result(Schema):
    engine_version: str
    price_book: str
    stack: str
    api_monthly_usd: str | None
    created_at: datetime
    output: dict[str, Any] = Field(description="The engine's answer as it was given.")


class AssessmentOut(Schema):
    id: int
    status: AssessmentStatus
    review_status: ReviewStatus
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    contact: Contact
    answers: dict[str, Any] = Field(
        description="The answers in the assessment contract (POST /advise takes it)."
    )
    result: Result | None

    @staticmethod
    def resolve_contact(obj: Any) -> dict[str, Any]:
        return {
            "name": obj.contact_name,
            "email": obj.contact_email,
            "company": obj.company,
            "role": obj.role,
            "consents_to_contact": obj.consent_contact,
        }

    @staticmethod
    def resolve_answers(obj: Any) -> dict[str, Any]:
        return assessment_contract(obj)

    @staticmethod
    def resolve_result(obj: Any) -> dict[str, Any] | None:
        recommendation = getattr(obj, "recommendation", None)
        if recommendation is None:
            return None
        return {
            "engine_version": recommendation.engine_version,
            "price_book": recommendation.price_book.name,
            "stack": recommendation.stack,
            "api_monthly_usd": (
                str(recommendation.api_monthly_usd)
                if recommendation.api_monthly_usd is not None
                else None
            ),
            "created_at": recommendation.created_at,
            "output": recommendation.output,
        }


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next_cursor: str | None


class ConsultantOut(Schema):
    id: int
    name: str
    bio: str
    timezone: str
    expertise: list[Expertise]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.display_name


class ConsultantPage(Schema):
    items: list[ConsultantOut]
    next_cursor: str | None


class SlotOut(Schema):
    start: datetime
    end: datetime
    consultant_ids: list[int]


class Slots(Schema):
    start_date: date
    days: int
    slots: list[SlotOut]


class CancelIn(Schema):
    reason: str = Field(
        min_length=1, max_length=1000, description="Sent to the client by email."
    )


class OutcomeIn(Schema):
    outcome: Outcome
