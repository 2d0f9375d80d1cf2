"""The sanction ladder (SC-10, SC-11, SC-14): counts, proposals, the workflow, a withdrawn basis."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from members.models import Role
from members.tests.factories import RoleAssignmentFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from scoring import engine, services
from scoring.defaults import default_settings
from scoring.engine import Facts, Post
from scoring.models import Incident, LedgerEntry, Sanction, SanctionStatus

SETTINGS = default_settings()
NOV = dt.date(2026, 11, 2)


def _facts(statuses, *, cadre=False, person=7):
    sessions = {i: engine.Session(i, "department", 2, NOV + dt.timedelta(days=i)) for i in range(len(statuses))}
    marks = [engine.Mark(100 + i, person, i, status) for i, status in enumerate(statuses)]
    return Facts(posts=[Post(person, 1, cadre, dt.date(2026, 9, 1), None)], sessions=sessions, marks=marks)


def _level(facts):
    counts = engine.ladder_counts(facts, lates_per_absence=SETTINGS["lates_per_absence"]).get(7, engine.Counts())
    return engine.ladder_level(counts, ladder=SETTINGS["ladder"], careless_proposes="warning")[0], counts


@pytest.mark.parametrize(("lates", "level"), [(2, None), (3, "warning"), (4, "demerit"), (5, "dismissal")])
def test_lates_climb_the_ladder(lates, level):
    # an officer: 3 lates also make one ladder absence; 5 make one (5 // 3)
    assert _level(_facts(["late"] * lates))[0] == level


def test_an_officers_third_late_adds_one_absence_and_a_cadres_second():
    _, officer = _level(_facts(["late"] * 3))
    assert (officer.lates, officer.absences, officer.extra_absences, officer.ladder_absences) == (3, 0, 1, 1)
    _, cadre = _level(_facts(["late"] * 2, cadre=True))
    assert (cadre.lates, cadre.extra_absences) == (2, 1)
    # one absence plus a cadre's two lates: two ladder absences, a warning
    assert _level(_facts(["late", "late", "absent"], cadre=True))[0] == "warning"


def test_the_conversion_adds_no_points():
    facts = _facts(["late"] * 3)
    entries = engine.compute(facts, _rulebook(), as_of=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
                             today=dt.date(2026, 11, 30))
    assert [e.points for e in entries] == [-1, -1, -1]


def _rulebook():
    from scoring.tests.engine_rules import RB

    return RB


def test_incidents_and_careless_work_propose():
    counts = engine.Counts(incidents={"misconduct": 1})
    assert engine.ladder_level(counts, ladder=SETTINGS["ladder"])[0] == "dismissal"
    counts = engine.Counts(incidents={"no_proposal": 1})  # listed under one level only: a demerit
    assert engine.ladder_level(counts, ladder=SETTINGS["ladder"])[0] == "demerit"
    counts = engine.Counts(careless=1)
    assert engine.ladder_level(counts, ladder=SETTINGS["ladder"], careless_proposes="warning")[0] == "warning"


def test_who_is_one_step_away():
    counts = engine.Counts(lates=2)
    assert engine.one_step_away(counts, ladder=SETTINGS["ladder"], level=None) == [("warning", "lates", 2, 3)]
    counts = engine.Counts(lates=3, absences=2)
    assert ("demerit", "lates", 3, 4) in engine.one_step_away(counts, ladder=SETTINGS["ladder"], level="warning")


# --- in the database, through the services ---


def _late_at_plenaries(school, n, *, minutes=5):
    now = timezone.now()
    meetings = []
    for i in range(n):
        start = now - dt.timedelta(days=n - i, hours=1)
        meeting = attendance.meeting_create(
            organisation=school.org, kind=MeetingKind.DEPARTMENT, title=f"例会{i}", stars=2, starts_at=start,
            ends_at=start + dt.timedelta(hours=1), audience=Audience.DEPARTMENT, department=school.dept,
            user=school.office, now=timezone.now())
        attendance.attendance_mark(meeting=meeting, marks=[{"person": school.officer.person_id, "status": "late",
                                                            "late_minutes": minutes}], user=school.office, now=now)
        meetings.append(meeting)
    services.ledger_sync_pending(tenant=school.tenant, now=now)  # the sync task's work, after the commits
    return meetings


@pytest.fixture
def president(school):
    with tenant_scope(school.tenant):
        user = UserFactory(tenant=school.tenant, username="alpha_president")
        RoleAssignmentFactory(tenant=school.tenant, user=user, role=Role.PRESIDENT, organisation=school.org)
    return user


def test_three_lates_propose_a_warning_and_the_president_confirms_it(school, president):
    now = timezone.now()
    with tenant_scope(school.tenant):
        meetings = _late_at_plenaries(school, 3)
        sanction = Sanction.objects.get(person=school.officer.person)
        assert (sanction.level, sanction.status) == ("warning", SanctionStatus.PROPOSED)
        assert sanction.basis["counts"]["lates"] == 3 and ["lates", 3, 3] in sanction.basis["reasons"]
        with pytest.raises(ValidationError, match="只有本组织的总部长可以确认处分"):
            services.sanction_decide(sanction=sanction, confirm=True, reason="同意", user=school.office, now=now)
        services.sanction_submit(sanction=sanction, user=school.office, now=now)
        with pytest.raises(ValidationError, match="只有待审核的处分可以提交总部长"):
            services.sanction_submit(sanction=sanction, user=school.office, now=now)
        services.sanction_decide(sanction=sanction, confirm=True, reason="三次迟到，属实", user=president, now=now)
        with pytest.raises(ValidationError, match="这项处分已经确认过了"):
            services.sanction_decide(sanction=sanction, confirm=True, reason="再次", user=president, now=now)
        services.sanction_file(sanction=sanction, number="联盟处〔2026〕1号", on=local_date(now),
                               user=school.office, now=now)
        # the late that caused it is corrected to present: the sanction stays, marked "basis withdrawn"
        attendance.attendance_mark(meeting=meetings[0], marks=[{"person": school.officer.person_id,
                                                                "status": "present"}], user=school.office, now=now)
        services.ledger_sync_pending(tenant=school.tenant, now=now)
        sanction.refresh_from_db()
        assert sanction.status == SanctionStatus.FILED and sanction.basis_withdrawn
        # a fourth and fifth late restore the basis and propose the heavier level
        _late_at_plenaries(school, 2)
        sanction.refresh_from_db()
        assert not sanction.basis_withdrawn
        assert set(Sanction.objects.values_list("level", "status")) == {("warning", "filed"),
                                                                        ("demerit", "proposed")}
        services.sanction_revoke(sanction=sanction, reason="申诉成立", user=president, now=now)
        sanction.refresh_from_db()
        assert sanction.status == SanctionStatus.REVOKED


def test_a_proposal_whose_basis_disappears_stays_until_dismissed_and_is_not_proposed_again(school):
    now = timezone.now()
    with tenant_scope(school.tenant):
        meetings = _late_at_plenaries(school, 3)
        attendance.attendance_mark(meeting=meetings[2], marks=[{"person": school.officer.person_id,
                                                                "status": "present"}], user=school.office, now=now)
        services.ledger_sync_pending(tenant=school.tenant, now=now)
        sanction = Sanction.objects.get()
        assert sanction.status == SanctionStatus.PROPOSED and sanction.basis_withdrawn
        services.sanction_decide(sanction=sanction, confirm=False, reason="迟到已更正", user=school.office, now=now)
        attendance.attendance_mark(meeting=meetings[2], marks=[{"person": school.officer.person_id,
                                                                "status": "late", "late_minutes": 5}],
                                   user=school.office, now=now)
        services.ledger_sync_pending(tenant=school.tenant, now=now)
        assert Sanction.objects.count() == 1  # the same grounds: not proposed again


def test_a_department_warning_costs_each_member_once_confirmed(school, president):
    now = timezone.now()
    with tenant_scope(school.tenant):
        Incident.objects.create(tenant=school.tenant, organisation=school.org, kind="perfunctory",
                                department=school.dept, on=local_date(now), note="活动总结敷衍",
                                recorded_by=school.office, recorded_at=now)
        services.ledger_sync(organisation=school.org, term=school.term, now=now)
        sanction = Sanction.objects.get(department=school.dept)
        assert not LedgerEntry.objects.exists()
        services.sanction_submit(sanction=sanction, user=school.office, now=now)
        services.sanction_decide(sanction=sanction, confirm=True, reason="属实", user=president, now=now)
        members = {school.officer.person_id, school.head.person_id, school.student_x.pk}
        assert dict(LedgerEntry.objects.values_list("person_id", "points")) == {pid: -2 for pid in members}
