"""factory_boy factories for consultants' calendars."""

import factory

from calendars import services
from calendars.models import CalDAVAccount, CalendarFeed
from tests.factories.bookings import ConsultantFactory


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    """A feed; pass ``url`` for the address it reads (stored encrypted)."""

    class Meta:
        model = CalendarFeed

    consultant = factory.SubFactory(ConsultantFactory)
    name = "Work"
    url = "https://calendar.example.com/feed.ics"

    @classmethod
    def _create(cls, model_class, *args, url, **kwargs):
        return services.feed_save(feed=model_class(*args, **kwargs), url=url)


class CalDAVAccountFactory(factory.django.DjangoModelFactory):
    """A CalDAV account; pass ``password`` for the app password (stored encrypted)."""

    class Meta:
        model = CalDAVAccount

    consultant = factory.SubFactory(ConsultantFactory)
    name = "iCloud"
    server_url = "https://caldav.example.com/"
    username = "ada"
    password = "app-password"

    @classmethod
    def _create(cls, model_class, *args, password, **kwargs):
        return services.account_save(
            account=model_class(*args, **kwargs), password=password
        )
