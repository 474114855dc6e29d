"""Time zones from what people type, and the clock their language writes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.forms import BookingForm
from consult.timezones import (
    accept_language_region,
    clock_label,
    prefers_12_hour_clock,
)
from consult.zone_names import ZoneChoice, fold, zone_from_region, zone_lookup

NEW_YORK = ZoneInfo("America/New_York")


def test_fold_drops_case_accents_and_punctuation():
    assert fold("  São-Paulo_ ZÜRICH, St. John's ") == "sao paulo zurich st john s"


@pytest.mark.parametrize(
    ("typed", "zone", "place"),
    [
        ("America/Los_Angeles", "America/Los_Angeles", "Los Angeles, United States"),
        ("AMERICA/LOS_ANGELES", "America/Los_Angeles", "Los Angeles, United States"),
        ("los angeles", "America/Los_Angeles", "Los Angeles, United States"),
        ("Tokyo", "Asia/Tokyo", "Tokyo, Japan"),
        ("germany", "Europe/Berlin", "Germany"),
        ("New York", "America/New_York", "New York, United States"),
        ("kolkata", "Asia/Kolkata", "Kolkata, India"),
        ("Calcutta", "Asia/Kolkata", "Kolkata, India"),
        ("Asia/Calcutta", "Asia/Kolkata", "Kolkata, India"),
        ("chatham", "Pacific/Chatham", "Chatham Islands, New Zealand"),
        ("Bangalore", "Asia/Kolkata", "Bengaluru, India"),
        ("munich", "Europe/Berlin", "Munich, Germany"),
        ("San Francisco", "America/Los_Angeles", "San Francisco, United States"),
        ("uk", "Europe/London", "United Kingdom"),
        ("India", "Asia/Kolkata", "India"),
        ("PST", "America/Los_Angeles", "Los Angeles, United States"),
        ("Pacific Time", "America/Los_Angeles", "Los Angeles, United States"),
        ("est", "America/New_York", "New York, United States"),
        ("CET", "Europe/Berlin", "Berlin, Germany"),
        ("gmt", "UTC", "Coordinated Universal Time"),
        (
            "Los Angeles, United States (America/Los_Angeles)",
            "America/Los_Angeles",
            "Los Angeles, United States",
        ),
    ],
)
def test_zone_lookup_finds_iana_names_cities_countries_and_abbreviations(
    typed, zone, place
):
    found = zone_lookup(typed)

    assert (found.zone, found.place, found.ambiguous) == (zone, place, False)


def test_zone_lookup_offers_one_zone_per_clock_of_a_many_zone_country():
    found = zone_lookup("United States")

    assert (found.zone, found.place, found.ambiguous) == (None, "United States", True)
    names = [choice.name for choice in found.choices]
    assert ZoneChoice("America/Los_Angeles", "Los Angeles, United States") in (
        found.choices
    )
    for zone in ("America/New_York", "America/Chicago", "America/Denver"):
        assert zone in names
    # Indiana keeps New York's clock: one choice for both.
    assert "America/Indiana/Indianapolis" not in names
    assert names == sorted(set(names), key=names.index)


def test_zone_lookup_asks_which_of_the_zones_an_abbreviation_names():
    found = zone_lookup("IST")

    assert found.zone is None
    assert found.ambiguous is True
    assert [c.name for c in found.choices] == ["Asia/Kolkata", "Europe/Dublin"]


def test_zone_lookup_suggests_close_names_for_a_misspelt_city():
    found = zone_lookup("los angelas")

    assert found.zone is None
    assert found.ambiguous is False
    assert found.choices[0] == ZoneChoice(
        "America/Los_Angeles", "Los Angeles, United States"
    )


def test_zone_lookup_knows_nothing_of_nonsense_or_an_empty_field():
    assert zone_lookup("Mars/Olympus_Mons").zone is None
    assert zone_lookup("   ").zone is None
    assert zone_lookup("x" * 10_000).zone is None


def test_zone_lookup_leaves_the_fixed_offset_est_for_new_york():
    # IANA's "EST" is UTC-5 all year; a person typing EST means New York's clock.
    assert zone_lookup("EST").zone == "America/New_York"


def test_zone_from_region_is_the_zone_of_a_one_clock_country():
    assert zone_from_region("GB").zone == "Europe/London"
    assert zone_from_region("DE").zone == "Europe/Berlin"
    assert zone_from_region("IN").zone == "Asia/Kolkata"


def test_zone_from_region_offers_the_zones_of_a_many_clock_country():
    found = zone_from_region("AU")

    assert (found.zone, found.ambiguous) == (None, True)
    assert "Australia/Sydney" in [c.name for c in found.choices]
    assert "Australia/Perth" in [c.name for c in found.choices]


def test_zone_from_region_without_a_known_region_is_nothing():
    assert zone_from_region(None).zone is None
    assert zone_from_region("ZZ").choices == ()


@pytest.mark.parametrize(
    ("header", "hour12", "region"),
    [
        ("en-US,en;q=0.9", True, "US"),
        ("en-CA", True, "CA"),
        ("en-AU", True, "AU"),
        ("hi-IN,hi;q=0.9", True, "IN"),
        ("en-GB,en;q=0.9", False, "GB"),
        ("de-DE,de;q=0.9,en;q=0.8", False, "DE"),
        ("fr", False, None),
        ("ja-JP", False, "JP"),
        ("", False, None),
        ("*", False, None),
        ("xx-YY, en-US;q=0.5", True, "US"),
        ("garbage;;q=x,,", False, None),
    ],
)
def test_language_header_gives_the_clock_and_the_region(header, hour12, region):
    assert prefers_12_hour_clock(header) is hour12
    assert accept_language_region(header) == region


def test_clock_label_on_the_12_hour_clock():
    assert [
        clock_label(datetime(2026, 12, 3, hour, 30, tzinfo=NEW_YORK), hour12=True)
        for hour in (0, 9, 12, 21)
    ] == ["12:30 AM", "9:30 AM", "12:30 PM", "9:30 PM"]


def test_clock_label_on_the_12_hour_clock_tells_apart_the_repeated_hour():
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)

    assert clock_label(first, hour12=True) == "1:30 AM EDT"
    assert clock_label(first.replace(fold=1), hour12=True) == "1:30 AM EST"


def _form(timezone: str) -> BookingForm:
    form = BookingForm(data={"timezone": timezone})
    form.is_valid()
    return form


def test_booking_form_zone_field_takes_a_city_and_keeps_its_iana_name():
    assert _form("  los angeles ").cleaned_data["timezone"] == "America/Los_Angeles"


def test_booking_form_zone_field_asks_which_zone_of_a_many_zone_country():
    assert _form("Australia").errors["timezone"] == [
        (
            "Australia has several time zones. Type your city, e.g. one of: Perth, "
            "Australia; Eucla, Australia; Darwin, Australia; Brisbane, Australia; "
            "Adelaide, Australia; Sydney, Australia."
        )
    ]


def test_booking_form_zone_field_refuses_an_unknown_name_with_suggestions():
    assert _form("Tokyp").errors["timezone"] == [
        (
            "We don't know that time zone. Type a city or country, like Los Angeles. "
            "Did you mean: Tokyo, Japan?"
        )
    ]


def test_zone_names_warm_builds_every_index_once():
    from consult import zone_names  # noqa: PLC0415 -- its private caches are checked

    # Without the database (this test has none): gunicorn's master calls it.
    zone_names.zone_names_warm()

    for built in (
        zone_names._cities,
        zone_names._zone_names,
        zone_names._countries,
        zone_names._abbreviations,
        zone_names._suggestion_keys,
        zone_names.zone_options,
    ):
        assert built.cache_info().currsize == 1
