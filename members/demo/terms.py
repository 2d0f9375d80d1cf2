"""The demo schools' terms, counted from the day ``seed_demo`` runs, so the demo has a running term on any date.

A school year ``Y``-``Y+1`` has an autumn term (第一学期) from the first Monday of September of ``Y`` to mid-January
and a spring term (第二学期) from the last Monday of February of ``Y+1`` to early July; each school moves those
dates by a few days of its own (``TermShape``).

The demo's records need a term running today with weeks of it behind today and some ahead: attendance and scoring
(``attendance/demo_data.py``, ``scoring/demo_data.py``) write ``HISTORY`` (five weeks) of sessions and incidents up to
today, and sessions and deadlines in the days after it. So the demo's **current term** is

* the latest term that has started by today: in the summer and winter holidays, the one that has just ended;
* starting ``HISTORY`` before today instead, if less than that of it lies behind today (its first five weeks);
* ending ``AHEAD`` (three weeks) after today instead, if less than that lies ahead (its last weeks, and the
  holiday after it).

The **previous term**, the one before it, keeps the calendar's dates. The next term is left out until it has
started, so a current term running on into a holiday overlaps no other term; the calendar's gaps between terms
are long enough (five weeks at least) for an early start not to reach back into the previous term.
"""

import datetime as dt
from dataclasses import dataclass

HISTORY = dt.timedelta(weeks=5)
AHEAD = dt.timedelta(weeks=3)
AUTUMN, SPRING = "第一学期", "第二学期"
MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月")


@dataclass(frozen=True)
class TermShape:
    """A school's terms as (first day, last day) in days after the term's anchor: the first Monday of September
    for the autumn term, the last Monday of February for the spring term."""

    autumn: tuple[int, int]
    spring: tuple[int, int]


@dataclass(frozen=True)
class DemoTerm:
    name: str
    start: dt.date
    end: dt.date
    school_year: int  # the year the school year began: students enrolled that autumn or before attend this term


def first_monday_of_september(year: int) -> dt.date:
    first = dt.date(year, 9, 1)
    return first + dt.timedelta(days=-first.weekday() % 7)


def last_monday_of_february(year: int) -> dt.date:
    last = dt.date(year, 3, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


def calendar_terms(shape: TermShape, school_year: int) -> tuple[DemoTerm, DemoTerm]:
    """The autumn and spring terms of the school year beginning in ``school_year``, as the calendar has them."""
    terms = []
    for half, anchor, (first, last) in (
        (AUTUMN, first_monday_of_september(school_year), shape.autumn),
        (SPRING, last_monday_of_february(school_year + 1), shape.spring),
    ):
        terms.append(DemoTerm(f"{school_year}-{school_year + 1}学年{half}", anchor + dt.timedelta(days=first),
                              anchor + dt.timedelta(days=last), school_year))
    return terms[0], terms[1]


def demo_terms(today: dt.date, shape: TermShape) -> tuple[DemoTerm, DemoTerm]:
    """The demo school's previous and current terms on ``today`` (see the module's docstring for the rule)."""
    terms = [term for year in (today.year - 2, today.year - 1, today.year) for term in calendar_terms(shape, year)]
    index = max(i for i, term in enumerate(terms) if term.start <= today)
    previous, current = terms[index - 1], terms[index]
    start, end = min(current.start, today - HISTORY), max(current.end, today + AHEAD)
    return previous, DemoTerm(current.name, start, end, current.school_year)


def month_name(day: dt.date) -> str:
    """十一月 for a day in November, as the demo's titles name a month."""
    return MONTHS[day.month - 1]


def days_into(term: DemoTerm, today: dt.date, days_ago: int) -> dt.date:
    """``days_ago`` days before today, or the term's first day if that is earlier: a past day of the term."""
    return max(term.start, today - dt.timedelta(days=days_ago))
