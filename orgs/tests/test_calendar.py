"""Teaching weeks and due dates (SPEC OR-1): orgs/calendar.py and the Term methods that delegate to it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgs import calendar
from orgs.models import Term

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC

# A term that starts on a Wednesday and ends on a Friday, across New Year: 19 teaching weeks.
START, END = D(2026, 9, 9), D(2027, 1, 15)


def test_the_fixture_term_starts_mid_week_and_crosses_new_year():
    assert START.weekday() == 2  # Wednesday
    assert END.weekday() == 4  # Friday
    assert START.year != END.year


# --- which teaching week is this date in ---


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (D(2026, 9, 7), 1),  # Monday before the start date: still week 1
        (D(2026, 9, 8), 1),  # Tuesday before the start date
        (D(2026, 9, 9), 1),  # the start date
        (D(2026, 9, 13), 1),  # Sunday of week 1
        (D(2026, 9, 14), 2),  # Monday of week 2
        (D(2026, 12, 28), 17),
        (D(2026, 12, 31), 17),  # weeks continue across 31 Dec / 1 Jan
        (D(2027, 1, 1), 17),
        (D(2027, 1, 3), 17),  # Sunday: the week that holds New Year's Day ends here
        (D(2027, 1, 4), 18),
        (D(2027, 1, 11), 19),
        (D(2027, 1, 15), 19),  # the last day of the term
    ],
)
def test_teaching_week_of_a_date_inside_the_term(day, week):
    assert calendar.teaching_week(START, END, day) == week


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 9, 6),  # the Sunday before Monday of week 1
        D(2026, 1, 1),
        D(2027, 1, 16),  # the day after the end, though in the same Monday-to-Sunday week
        D(2027, 1, 18),
        D(2028, 1, 1),
    ],
)
def test_a_date_outside_the_term_has_no_teaching_week(day):
    assert calendar.teaching_week(START, END, day) is None


def test_a_term_starting_on_monday_has_no_days_before_its_start_in_week_1():
    start = D(2026, 9, 7)
    assert calendar.teaching_week(start, END, start) == 1
    assert calendar.teaching_week(start, END, start - dt.timedelta(days=1)) is None


def test_a_term_starting_on_sunday_puts_the_six_days_before_it_in_week_1():
    start = D(2026, 9, 13)
    assert start.weekday() == 6
    assert calendar.teaching_week(start, END, D(2026, 9, 7)) == 1
    assert calendar.teaching_week(start, END, D(2026, 9, 6)) is None
    assert calendar.teaching_week(start, END, D(2026, 9, 14)) == 2


def test_a_term_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        calendar.teaching_week(END, START, START)
    with pytest.raises(ValueError):
        calendar.week_count(END, START)


# --- week count and Mondays ---


def test_week_count_counts_the_week_holding_the_end_date():
    assert calendar.week_count(START, END) == 19
    assert calendar.week_count(D(2026, 9, 7), D(2026, 9, 13)) == 1  # one Monday-to-Sunday week
    assert calendar.week_count(D(2026, 9, 13), D(2026, 9, 14)) == 2  # Sunday to Monday spans two weeks
    assert calendar.week_count(START, START) == 1


@pytest.mark.parametrize(
    ("n", "monday"),
    [(2, D(2026, 9, 14)), (4, D(2026, 9, 28)), (16, D(2026, 12, 21)), (18, D(2027, 1, 4))],
)
def test_monday_of_double_week(n, monday):
    assert calendar.monday_of_double_week(START, END, n) == monday
    assert monday.weekday() == 0
    assert calendar.teaching_week(START, END, monday) == n


@pytest.mark.parametrize("n", [1, 3, 17, 19, -1])
def test_monday_of_an_odd_week_is_refused(n):
    with pytest.raises(ValueError, match="double"):
        calendar.monday_of_double_week(START, END, n)


@pytest.mark.parametrize("n", [0, -2, 20, 40])
def test_monday_of_a_double_week_outside_the_term_is_refused(n):
    with pytest.raises(ValueError, match="outside"):
        calendar.monday_of_double_week(START, END, n)


@pytest.mark.parametrize("n", [True, False, 2.0, "2", None])
def test_monday_of_double_week_takes_a_whole_number_only(n):
    with pytest.raises(ValueError):
        calendar.monday_of_double_week(START, END, n)


def test_week_monday_of_week_1_is_before_a_mid_week_start():
    assert calendar.week_monday(START, END, 1) == D(2026, 9, 7)
    assert calendar.week_monday(START, END, 19) == D(2027, 1, 11)
    for bad in (0, 20, True):
        with pytest.raises(ValueError):
            calendar.week_monday(START, END, bad)


def test_double_week_mondays_lists_every_even_week():
    mondays = calendar.double_week_mondays(START, END)
    assert mondays[0] == D(2026, 9, 14)
    assert mondays[-1] == D(2027, 1, 4)
    assert len(mondays) == 9  # weeks 2, 4, …, 18 of 19
    assert all(b - a == dt.timedelta(weeks=2) for a, b in zip(mondays, mondays[1:], strict=False))
    assert [calendar.teaching_week(START, END, m) for m in mondays] == list(range(2, 19, 2))


def test_a_one_week_term_has_no_double_week():
    assert calendar.double_week_mondays(D(2026, 9, 7), D(2026, 9, 11)) == []


def test_term_delegates_to_the_calendar():
    term = Term(name="t", start=START, end=END)
    assert term.week_count == 19
    assert term.teaching_week(D(2027, 1, 1)) == 17
    assert term.teaching_week(D(2027, 1, 16)) is None
    assert term.monday_of_double_week(18) == D(2027, 1, 4)
    with pytest.raises(ValueError):
        term.monday_of_double_week(3)


# --- due dates ---


def test_a_due_date_is_the_end_of_that_day_in_shanghai():
    due = calendar.due_at(D(2026, 10, 30))
    assert due.tzinfo is not None and due.utcoffset() == dt.timedelta(hours=8)
    assert due == dt.datetime(2026, 10, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert due == dt.datetime(2026, 10, 30, 15, 59, 59, tzinfo=UTC)


def test_a_due_date_with_a_time():
    due = calendar.due_at(D(2026, 10, 30), dt.time(12, 0))
    assert due == dt.datetime(2026, 10, 30, 4, 0, tzinfo=UTC)


def test_due_at_refuses_a_datetime():
    with pytest.raises(TypeError):
        calendar.due_at(dt.datetime(2026, 10, 30, 12, 0, tzinfo=SHANGHAI))


def test_is_overdue_at_the_end_of_the_day_and_just_after():
    day = D(2026, 10, 30)
    assert not calendar.is_overdue(day, dt.datetime(2026, 10, 30, 23, 59, 59, tzinfo=SHANGHAI))
    assert calendar.is_overdue(day, dt.datetime(2026, 10, 31, 0, 0, 0, tzinfo=SHANGHAI))
    # The same two moments written in UTC.
    assert not calendar.is_overdue(day, dt.datetime(2026, 10, 30, 15, 59, 59, tzinfo=UTC))
    assert calendar.is_overdue(day, dt.datetime(2026, 10, 30, 16, 0, 0, tzinfo=UTC))
    # 23:00 on the 30th in UTC is already the 31st in Shanghai.
    assert calendar.is_overdue(day, dt.datetime(2026, 10, 30, 23, 0, 0, tzinfo=UTC))


def test_is_overdue_with_a_time():
    day, noon = D(2026, 10, 30), dt.time(12, 0)
    assert not calendar.is_overdue(day, dt.datetime(2026, 10, 30, 12, 0, tzinfo=SHANGHAI), noon)
    assert calendar.is_overdue(day, dt.datetime(2026, 10, 30, 12, 0, 1, tzinfo=SHANGHAI), noon)


def test_is_overdue_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        calendar.is_overdue(D(2026, 10, 30), dt.datetime(2026, 10, 31, 0, 0))


def test_local_date_is_the_date_in_shanghai():
    assert calendar.local_date(dt.datetime(2026, 10, 30, 15, 59, 59, tzinfo=UTC)) == D(2026, 10, 30)
    assert calendar.local_date(dt.datetime(2026, 10, 30, 16, 0, 0, tzinfo=UTC)) == D(2026, 10, 31)


# --- "by the 30th" and the last day of a month ---


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2026, 2, 30, D(2026, 2, 28)),  # February: the last day
        (2028, 2, 30, D(2028, 2, 29)),  # leap year
        (2100, 2, 30, D(2100, 2, 28)),  # not a leap year
        (2026, 1, 30, D(2026, 1, 30)),  # a 31-day month: the 30th itself
        (2026, 4, 30, D(2026, 4, 30)),
        (2026, 4, 31, D(2026, 4, 30)),
        (2026, 12, 31, D(2026, 12, 31)),
        (2026, 3, 1, D(2026, 3, 1)),
    ],
)
def test_day_of_month_capped(year, month, day, expected):
    assert calendar.day_of_month_capped(year, month, day) == expected


@pytest.mark.parametrize("day", [0, -1, True, 1.5])
def test_day_of_month_capped_refuses_a_day_that_is_not_a_positive_whole_number(day):
    with pytest.raises(ValueError):
        calendar.day_of_month_capped(2026, 3, day)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 1, D(2026, 1, 31)),
        (2026, 2, D(2026, 2, 28)),
        (2024, 2, D(2024, 2, 29)),
        (2026, 4, D(2026, 4, 30)),
        (2026, 12, D(2026, 12, 31)),
    ],
)
def test_last_day_of_month(year, month, expected):
    assert calendar.last_day_of_month(year, month) == expected


@pytest.mark.parametrize("month", [0, 13])
def test_last_day_of_a_month_that_does_not_exist_is_refused(month):
    with pytest.raises(ValueError):
        calendar.last_day_of_month(2026, month)


# --- properties ---

_starts = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))


@st.composite
def _term_and_days(draw):
    start = draw(_starts)
    end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    first_monday = calendar.monday_of(start)
    span = (end - first_monday).days
    a, b = sorted(draw(st.lists(st.integers(min_value=0, max_value=span), min_size=2, max_size=2)))
    return start, end, first_monday + dt.timedelta(days=a), first_monday + dt.timedelta(days=b)


@settings(max_examples=200, deadline=None)
@given(_term_and_days())
def test_every_day_of_the_term_lies_in_the_monday_to_sunday_week_of_its_number(case):
    start, end, day, later = case
    week = calendar.teaching_week(start, end, day)
    assert 1 <= week <= calendar.week_count(start, end)
    monday = calendar.week_monday(start, end, week)
    assert monday.weekday() == 0
    assert monday <= day < monday + dt.timedelta(days=7)
    assert calendar.teaching_week(start, end, later) >= week  # monotonic
    if week % 2 == 0:
        assert calendar.monday_of_double_week(start, end, week) == monday
    assert calendar.teaching_week(start, end, calendar.monday_of(start) - dt.timedelta(days=1)) is None
    assert calendar.teaching_week(start, end, end + dt.timedelta(days=1)) is None
