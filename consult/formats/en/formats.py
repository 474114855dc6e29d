"""Dates and times as the site writes them, Django's own admin pages included.

The same pattern as ``consult.timezones.short_label`` ("Tue 08 Dec 2026 12:30"), so
the admin's history and record fields read like its lists and pages, not
"Dec. 8, 2026, 12:30 p.m." beside "Tue 08 Dec 2026 12:30". Only display formats:
what forms accept is Django's English default.
"""

DATE_FORMAT = "D d M Y"
DATETIME_FORMAT = "D d M Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d M Y"
SHORT_DATETIME_FORMAT = "d M Y H:i"
MONTH_DAY_FORMAT = "d M"
YEAR_MONTH_FORMAT = "M Y"
