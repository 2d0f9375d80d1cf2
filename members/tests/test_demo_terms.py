"""The demo's calendar (members/demo/terms.py): a current term around any day, with weeks behind it and ahead."""

import datetime as dt

import pytest

from members.demo.schools import HUT_TERMS, JSU_TERMS
from members.demo.terms import AHEAD, HISTORY, calendar_terms, demo_terms, month_name

D = dt.date


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_the_calendar_gives_the_dates_the_demo_had_in_2026():
    hut = calendar_terms(HUT_TERMS, 2025)[1], calendar_terms(HUT_TERMS, 2026)[0]
    assert [(t.name, t.start, t.end) for t in hut] == [
        ("2025-2026学年第二学期", D(2026, 2, 23), D(2026, 7, 5)),
        ("2026-2027学年第一学期", D(2026, 9, 7), D(2027, 1, 17)),
    ]
    jsu = calendar_terms(JSU_TERMS, 2025)[1], calendar_terms(JSU_TERMS, 2026)[0]
    assert [(t.start, t.end) for t in jsu] == [(D(2026, 3, 2), D(2026, 7, 10)), (D(2026, 9, 1), D(2027, 1, 15))]


@pytest.mark.parametrize("shape", [HUT_TERMS, JSU_TERMS], ids=["hut", "jsu"])
def test_every_day_has_a_current_term_with_five_weeks_behind_and_three_ahead(shape):
    calendar = [t for year in range(2024, 2033) for t in calendar_terms(shape, year)]
    for today in _days(D(2026, 1, 1), D(2032, 12, 31)):
        previous, current = demo_terms(today, shape)
        assert current.start <= today - HISTORY and current.end >= today + AHEAD, today
        index = next(i for i, t in enumerate(calendar) if t.name == current.name)
        real = calendar[index]
        assert real.start <= today < calendar[index + 1].start, today  # the latest term begun by today
        assert previous == calendar[index - 1], today  # the one before, with its calendar dates
        assert previous.end < current.start, today  # an early start never reaches back into it
        if real.start <= today - HISTORY and today + AHEAD <= real.end:
            assert current == real, today  # in the middle of a term, the demo's term is the calendar's


@pytest.mark.parametrize(("today", "previous", "name", "start", "end"), [
    (D(2026, 12, 5), "2025-2026学年第二学期", "2026-2027学年第一学期", D(2026, 9, 7), D(2027, 1, 17)),
    # the winter holiday: the autumn term runs on
    (D(2027, 2, 10), "2025-2026学年第二学期", "2026-2027学年第一学期", D(2026, 9, 7), D(2027, 3, 3)),
    # three weeks into the spring term: it starts five weeks before today
    (D(2027, 3, 15), "2026-2027学年第一学期", "2026-2027学年第二学期", D(2027, 2, 8), D(2027, 7, 4)),
    # the summer holiday: the spring term runs on
    (D(2027, 7, 20), "2026-2027学年第一学期", "2026-2027学年第二学期", D(2027, 2, 22), D(2027, 8, 10)),
    (D(2027, 8, 25), "2026-2027学年第一学期", "2026-2027学年第二学期", D(2027, 2, 22), D(2027, 9, 15)),
    (D(2027, 9, 6), "2026-2027学年第二学期", "2027-2028学年第一学期", D(2027, 8, 2), D(2028, 1, 16)),
])
def test_holidays_and_first_weeks_at_hut(today, previous, name, start, end):
    before, current = demo_terms(today, HUT_TERMS)
    assert (before.name, current.name, current.start, current.end) == (previous, name, start, end)


def test_month_names():
    assert [month_name(D(2026, m, 1)) for m in (1, 10, 11, 12)] == ["一月", "十月", "十一月", "十二月"]
