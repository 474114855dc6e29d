"""CalDAV through the ``caldav`` library, every request under ``consult.outbound``'s rules.

``caldav`` speaks HTTP through a ``requests`` session; the session's transport here is an
adapter that hands each request to ``consult.outbound.fetch`` (addresses checked, the
connection made to the checked address, a deadline and a size cap). Redirects are not
followed: a server that moves must be given its new address, so credentials are never
sent on to a host nobody typed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from caldav import DAVClient
from caldav.elements.base import ValuedBaseElement
from django.conf import settings
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from consult import outbound

if TYPE_CHECKING:
    from datetime import datetime

    from caldav import Calendar as DAVCalendar


class CalDAVError(Exception):
    """A CalDAV request failed; the message is for the consultant (no secrets in it)."""


class GetCtag(ValuedBaseElement):
    # CalendarServer's collection tag: changes whenever anything in the calendar does.
    tag = "{http://calendarserver.org/ns/}getctag"


class OutboundAdapter(BaseAdapter):
    def send(  # noqa: PLR0913, PLR0917 -- requests' signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        try:
            fetched = outbound.fetch(
                request.url or "",
                method=request.method or "GET",
                headers=dict(request.headers),
                body=body,
                timeout=settings.CALENDAR_FETCH_TIMEOUT,
                max_bytes=settings.CALENDAR_FEED_MAX_BYTES,
                max_redirects=0,
            )
        except outbound.UnsafeURL as exc:
            raise CalDAVError(str(exc)) from exc
        except outbound.OutboundError as exc:
            message = str(exc)
            if message.startswith("More than 0 redirects"):
                message = (
                    "The server sent Consult to another address: give the "
                    "calendar server's final address."
                )
            raise CalDAVError(message) from exc
        response = requests.Response()
        response.status_code = fetched.status
        response.headers = CaseInsensitiveDict(fetched.headers)
        response._content = fetched.body  # noqa: SLF001 -- requests' own way to set it
        response._content_consumed = True  # noqa: SLF001
        response.url = request.url or ""
        response.request = request
        response.reason = ""
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.connection = self
        return response

    def close(self) -> None:
        pass


def caldav_client(*, url: str, username: str, password: str) -> DAVClient:
    client = DAVClient(url=url, username=username, password=password)
    adapter = OutboundAdapter()
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    # No proxies or .netrc from the environment: the request goes where it was checked.
    client.session.trust_env = False
    return client


def calendar_ctag(calendar: DAVCalendar) -> str:
    return str(calendar.get_property(GetCtag()) or "")


def calendars_of(client: DAVClient) -> list[DAVCalendar]:
    """The calendars of the account's principal."""
    return list(client.principal().calendars())


def calendar_at(client: DAVClient, url: str) -> DAVCalendar:
    return client.calendar(url=url)


def event_data_between(
    calendar: DAVCalendar, start: datetime, end: datetime
) -> list[str]:
    """The calendar objects with an event in ``[start, end)``, unexpanded (recurring sets
    whole; Consult expands them in their own zone)."""
    found: list[Any] = calendar.search(start=start, end=end, event=True, expand=False)
    return [str(item.data) for item in found]
