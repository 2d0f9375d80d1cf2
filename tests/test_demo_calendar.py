"""seed_demo on any day (members/demo/terms.py): with the clock set to a day in term, in a holiday or in a term's
first weeks, both schools have a current term holding that day, and the demo's records lie inside it, before now.
A second run that day adds nothing; a run on a later day moves the schools' dates and adds no second copy."""

import datetime as dt
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django_scopes import scopes_disabled

from attendance.models import Attendance, Meeting, Task
from members.demo.terms import HISTORY
from members.models import DisciplinaryRecord, Membership, RoleAssignment
from orgs.calendar import local_date, school_tz
from orgs.models import Term
from scoring.models import DiscretionaryEntry, Incident, LedgerEntry

pytestmark = pytest.mark.django_db

D = dt.date


def _seed_on(day: dt.date) -> dt.datetime:
    """Runs seed_demo with the clock at ten in the morning of ``day`` (every reader of the clock goes through
    ``django.utils.timezone.now``)."""
    moment = dt.datetime.combine(day, dt.time(10, 0), school_tz())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("seed_demo", "--quiet", force_known_password=True)
    return moment


def _counts():
    with scopes_disabled():
        return {model._meta.label: model._default_manager.count()
                for label in ("orgs", "members", "attendance", "scoring")
                for model in apps.get_app_config(label).get_models()}


def _current(slug, day):
    return Term.objects.get(tenant__slug=slug, start__lte=day, end__gte=day)


def _check_schools(day):
    for slug in ("hut", "jsu"):
        term = _current(slug, day)
        assert term.start <= day - HISTORY
        memberships = Membership.objects.filter(tenant__slug=slug, term=term)
        assert set(memberships.filter(end=None).values_list("start", flat=True)) == {term.start}
        assert not Membership.objects.filter(tenant__slug=slug, end=None).exclude(term=term).exists()
        assert set(RoleAssignment.objects.filter(tenant__slug=slug).values_list("start", flat=True)) == {term.start}
        left = memberships.exclude(end=None)
        assert all(term.start <= m.end < day for m in left)
        records = DisciplinaryRecord.objects.filter(tenant__slug=slug)
        assert records.exists()
        assert all(r.decided_on < day and f"〔{r.decided_on.year}〕" in r.document_number for r in records)


@pytest.mark.parametrize("day", [D(2026, 12, 5), D(2027, 2, 10), D(2027, 3, 15), D(2027, 7, 20), D(2027, 8, 25)])
def test_seed_demo_on_any_day_has_a_current_term_holding_the_records(day):
    now = _seed_on(day)
    with scopes_disabled():
        _check_schools(day)
        term = _current("hut", day)
        meetings = list(Meeting.objects.filter(tenant__slug="hut"))
        assert all(term.start <= local_date(m.starts_at) <= term.end for m in meetings)
        past = [local_date(m.starts_at) for m in meetings if m.ends_at < now]
        assert min(past) <= day - dt.timedelta(weeks=4)  # weeks of sessions behind today
        marked = Attendance.objects.filter(tenant__slug="hut").exclude(status="unmarked")
        assert marked.count() > 100 and not marked.filter(meeting__starts_at__gt=now).exists()
        assert all(term.start <= local_date(t.deadline) <= term.end for t in Task.objects.filter(tenant__slug="hut"))
        assert Incident.objects.count() == 4 and DiscretionaryEntry.objects.count() == 6
        for row in (*Incident.objects.all(), *DiscretionaryEntry.objects.all()):
            assert term.start <= row.on <= day
        ledger = LedgerEntry.objects.filter(tenant__slug="hut")
        assert ledger.filter(term=term).count() > 100 and not ledger.exclude(term=term).exists()
    counts = _counts()
    _seed_on(day)
    assert _counts() == counts


def test_a_run_on_a_later_day_moves_the_schools_dates_without_a_second_copy():
    _seed_on(D(2026, 12, 5))
    before = _counts()
    later = D(2027, 3, 15)
    _seed_on(later)
    after = _counts()
    with scopes_disabled():
        _check_schools(later)
        assert after["orgs.Term"] == before["orgs.Term"] + 2  # each school's new term; the older ones stay
    unchanged = ("members.Person", "members.User", "members.Membership", "members.RoleAssignment",
                 "members.DisciplinaryRecord", "attendance.Meeting", "scoring.Incident")
    assert {label: after[label] for label in unchanged} == {label: before[label] for label in unchanged}
