"""factory_boy factories for consultants and bookings."""

from datetime import time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.models import (
    Booking,
    BookingLink,
    BookingPolicy,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from bookings.tokens import token_hash
from consult.timezones import zone_prefers_12_hour

ALL_DAY = (time(0, 0), time(0, 0))


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"consultant{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@consult.example")
    is_staff = True


class ConsultantFactory(factory.django.DjangoModelFactory):
    """A consultant with weekly hours.

    ``hours`` maps weekday to ranges; by default every day, all day, so slots exist
    whatever the time the tests run. Pass ``hours={}`` for none.
    """

    class Meta:
        model = Consultant
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffUserFactory)
    display_name = factory.Sequence(lambda n: f"Consultant {n:02d}")
    bio = "Helps teams choose their AI stack."
    timezone = "Europe/London"
    expertise = factory.LazyFunction(list)
    is_active = True

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if not create:
            return
        hours = {day: [ALL_DAY] for day in range(7)} if extracted is None else extracted
        WeeklyHours.objects.bulk_create(
            WeeklyHours(consultant=self, weekday=day, start=start, end=end)
            for day, ranges in hours.items()
            for start, end in ranges
        )


class DateOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DateOverride

    consultant = factory.SubFactory(ConsultantFactory)
    date = factory.LazyFunction(lambda: timezone.now().date())
    start = None
    end = None


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    consultant = factory.SubFactory(ConsultantFactory)
    start = factory.LazyFunction(timezone.now)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=1))
    reason = "Holiday"


class BookingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingPolicy
        django_get_or_create = ("id",)

    id = BookingPolicy.SINGLETON_ID


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking. ``token`` holds its private manage token."""

    class Meta:
        model = Booking

    token = factory.Sequence(
        lambda n: f"booking-token-{n:04d}-abcdefghijklmnopqrstuvwx"
    )

    consultant = factory.SubFactory(ConsultantFactory)
    name = "Grace Hopper"
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    company = "Compilers Inc"
    topic = "Whether to fine-tune."
    client_timezone = "Asia/Tokyo"
    # As booking_create does without a clock from the browser: the zone's country's.
    hour12 = factory.LazyAttribute(lambda o: zone_prefers_12_hour(o.client_timezone))
    consent = True
    consented_at = factory.LazyFunction(timezone.now)
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=3)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))
    blocked_start = factory.LazyAttribute(lambda o: o.start)
    blocked_end = factory.LazyAttribute(lambda o: o.end)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        obj = super()._create(model_class, *args, **kwargs)
        # Made when booked: the link the confirmation carries.
        BookingLink.objects.create(
            booking=obj,
            origin=BookingLink.Origin.BOOKED,
            token_hash=token_hash(token),
            created_at=obj.created_at,
        )
        obj.token = token
        return obj

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        obj = super()._build(model_class, *args, **kwargs)
        obj.token = token
        return obj
