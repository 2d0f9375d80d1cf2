"""Teaching weeks and due dates (SPEC OR-1). Pure functions of dates; ``Term`` delegates here.

Reading of OR-1 used throughout the product:

* Week 1 is the Monday-to-Sunday week containing the term's start date. Its days before the start date
  still belong to week 1 (a term starting on a Wednesday has Monday and Tuesday in week 1).
* A date after the term's end date, or before the Monday of week 1, has no teaching week (``None``).
* "Each double week" means the even-numbered teaching weeks; "the Monday of double week N" takes N, which
  must be even and inside the term.
* A due *date* is the end of that day, 23:59:59 in the school's time zone (Asia/Shanghai), unless a time is
  given.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

END_OF_DAY = dt.time(23, 59, 59)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError(f"term ends ({end}) before it starts ({start})")


def week_count(start: dt.date, end: dt.date) -> int:
    """How many teaching weeks the term has (the week holding ``end`` is the last)."""
    _check_range(start, end)
    return (monday_of(end) - monday_of(start)).days // 7 + 1


def teaching_week(start: dt.date, end: dt.date, day: dt.date) -> int | None:
    """The teaching week ``day`` falls in, or ``None`` when it lies outside the term."""
    _check_range(start, end)
    first_monday = monday_of(start)
    if day < first_monday or day > end:
        return None
    return (day - first_monday).days // 7 + 1


def week_monday(start: dt.date, end: dt.date, n: int) -> dt.date:
    """The Monday of teaching week ``n`` (1-based)."""
    count = week_count(start, end)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= count:
        raise ValueError(f"teaching week {n!r} is outside this term (1..{count})")
    return monday_of(start) + dt.timedelta(weeks=n - 1)


def monday_of_double_week(start: dt.date, end: dt.date, n: int) -> dt.date:
    """The Monday of double (even-numbered) teaching week ``n``; an odd ``n`` is an error."""
    if not isinstance(n, int) or isinstance(n, bool) or n % 2:
        raise ValueError(f"{n!r} is not a double (even-numbered) teaching week")
    return week_monday(start, end, n)


def double_week_mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every Monday of an even-numbered teaching week of the term, in order."""
    return [week_monday(start, end, n) for n in range(2, week_count(start, end) + 1, 2)]


def school_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def due_at(day: dt.date, at: dt.time | None = None, *, tz: ZoneInfo | None = None) -> dt.datetime:
    """The aware moment a thing due on ``day`` falls due: the end of that day unless ``at`` is given."""
    if isinstance(day, dt.datetime):
        raise TypeError("due_at takes a date; a datetime already names its moment")
    return dt.datetime.combine(day, at or END_OF_DAY, tzinfo=tz or school_tz())


def is_overdue(day: dt.date, now: dt.datetime, at: dt.time | None = None) -> bool:
    """Whether something due on ``day`` (at ``at``) is overdue at the aware moment ``now``."""
    if now.tzinfo is None:
        raise ValueError("is_overdue needs an aware datetime")
    return now > due_at(day, at)


def local_date(moment: dt.datetime) -> dt.date:
    """The school's calendar date of an aware moment (what 'today' means for due dates)."""
    return moment.astimezone(school_tz()).date()


def last_day_of_month(year: int, month: int) -> dt.date:
    dt.date(year, month, 1)  # refuses a month outside 1..12 (13 would otherwise wrap into the same year)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def day_of_month_capped(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of a month, or its last day when the month is shorter ("by the 30th" in February)."""
    if isinstance(day, bool) or not isinstance(day, int) or day < 1:
        raise ValueError(f"day {day!r} of a month must be a positive whole number")
    return min(dt.date(year, month, 1) + dt.timedelta(days=day - 1), last_day_of_month(year, month))
