"""Calendar files as Google, Outlook and Apple publish them, built for the tests."""

CRLF = "\r\n"


def vcalendar(*events: str, extra: str = "") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tests//Feeds//EN",
        "CALSCALE:GREGORIAN",
        *([extra] if extra else []),
        *events,
        "END:VCALENDAR",
    ]
    return (CRLF.join(lines) + CRLF).encode()


def vevent(uid: str, *properties: str) -> str:
    return CRLF.join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20270101T000000Z",
            "SUMMARY:Busy",
            *properties,
            "END:VEVENT",
        ]
    )


# Monday mornings in Berlin, 09:00-10:00 local: the clocks go forward on 28 March 2027.
# 5 April is taken out (EXDATE), 12 April moved to 14:00 (an overridden instance).
BERLIN_SERIES = vcalendar(
    vevent(
        "berlin-weekly",
        "DTSTART;TZID=Europe/Berlin:20270322T090000",
        "DTEND;TZID=Europe/Berlin:20270322T100000",
        "RRULE:FREQ=WEEKLY;COUNT=5",
        "EXDATE;TZID=Europe/Berlin:20270405T090000",
    ),
    vevent(
        "berlin-weekly",
        "RECURRENCE-ID;TZID=Europe/Berlin:20270412T090000",
        "DTSTART;TZID=Europe/Berlin:20270412T140000",
        "DTEND;TZID=Europe/Berlin:20270412T150000",
    ),
)

# Every day at 09:00 in New York for five days: the clocks go forward on 14 March 2027.
NEW_YORK_SERIES = vcalendar(
    vevent(
        "new-york-daily",
        "DTSTART;TZID=America/New_York:20270312T090000",
        "DTEND;TZID=America/New_York:20270312T093000",
        "RRULE:FREQ=DAILY;COUNT=4",
    )
)

# Google's export of a calendar whose zone is only named in X-WR-TIMEZONE: times in UTC
# that mean 18:00 in Berlin every Friday, before and after the change.
X_WR_SERIES = vcalendar(
    vevent(
        "x-wr-weekly",
        "DTSTART:20270319T170000Z",
        "DTEND:20270319T180000Z",
        "RRULE:FREQ=WEEKLY;COUNT=2",
    ),
    extra="X-WR-TIMEZONE:Europe/Berlin",
)
