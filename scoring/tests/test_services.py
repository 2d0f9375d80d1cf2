"""The stored ledger: seeded rulebooks, the version a term is bound to, and ledger_sync against the database."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance import services as attendance
from attendance.models import Attendance, Audience, MeetingKind
from attendance.tests.factories import SHANGHAI
from members.tests.factories import MembershipFactory, PersonFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, PositionFactory
from scoring import engine, services
from scoring.models import LedgerEntry, Rule, Rulebook
from scoring.tests.ledger_checks import _from_scratch, _scores_from_scratch, _stored, _stored_scores


def test_a_new_organisation_gets_the_spec_rulebook_once(school):
    now = timezone.now()
    with tenant_scope(school.tenant):
        first = services.rulebook_ensure(organisation=school.org, now=now)
        again = services.rulebook_ensure(organisation=school.org, now=now)
        assert first == again and first.version == 1
        assert Rule.objects.filter(rulebook=first).count() == 60
        assert first.settings["lates_per_absence"] == {"cadre": 2, "officer": 3}
        assert engine.coverage_problems(services.engine_rulebook(first).rules) == ({}, [])


def test_a_term_stays_bound_to_its_version(school):
    now = timezone.now()
    with tenant_scope(school.tenant):
        v1 = services.term_rulebook_bind(organisation=school.org, term=school.term, now=now)
        Rulebook.objects.create(tenant=school.tenant, organisation=school.org, version=2, created_at=now)
        assert services.term_rulebook_bind(organisation=school.org, term=school.term, now=now) == v1


def _plenary(school, *, org, people, starts_at, user):
    return attendance.meeting_create(organisation=org, kind=MeetingKind.PLENARY, title="全体会议", stars=3,
                                      starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1),
                                      audience=Audience.CHOSEN, chosen=people, user=user, now=timezone.now())


def test_a_save_updates_the_ledger_and_a_sync_after_it_changes_nothing(school):
    now = timezone.now()
    with tenant_scope(school.tenant):
        start = now - dt.timedelta(hours=2)
        meeting = _plenary(school, org=school.org, people=[school.officer.person, school.head.person],
                           starts_at=start, user=school.office)
        attendance.attendance_mark(meeting=meeting, marks=[
            {"person": school.officer.person_id, "status": "late", "late_minutes": 12},
            {"person": school.head.person_id, "status": "late", "late_minutes": 5}], user=school.office, now=now)
        assert not LedgerEntry.objects.exists()  # the save asked for a sync; it runs after the commit
        assert services.ledger_sync_pending(tenant=school.tenant, now=now) == 1  # the task's work
        assert services.ledger_sync_pending(tenant=school.tenant, now=now) == 0  # nothing left to see
        points = dict(LedgerEntry.objects.values_list("person_id", "points"))
        # a plenary late of 12 minutes is an absence: -5 (SC-2, SC-10); 5 minutes is a late: -2
        assert points == {school.officer.person_id: -5, school.head.person_id: -2}
        again = services.ledger_sync(organisation=school.org, term=school.term, now=now)
        assert (again.created, again.deleted, again.changed) == (0, 0, 0)
        attendance.attendance_mark(meeting=meeting, marks=[{"person": school.officer.person_id,
                                                            "status": "present"}], user=school.office, now=now)
        services.ledger_sync_pending(tenant=school.tenant, now=now)
        assert LedgerEntry.objects.count() == 1  # corrected to present: its entry is gone with the sync
        assert _stored(school.org, school.term) == _from_scratch(school.org, school.term, now)


EDITS = st.lists(st.tuples(st.sampled_from(["mark", "cancel", "rule"]), st.integers(0, 3), st.integers(0, 3),
                           st.sampled_from(["present", "late", "early_leave", "leave", "absent", "unmarked"]),
                           st.integers(0, 20)), min_size=1, max_size=8)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_after_every_edit_the_stored_ledger_equals_a_computation_from_scratch(school, edits):
    # The sessions are on the term's first four days and "now" is after their month, so a month's full
    # attendance (SC-4) is among what is checked.
    first = dt.datetime.combine(school.term.start, dt.time(19), SHANGHAI)
    last_day = school.term.start + dt.timedelta(days=3)
    now = dt.datetime.combine(dt.date(last_day.year + last_day.month // 12, last_day.month % 12 + 1, 1),
                              dt.time(12), SHANGHAI)
    with tenant_scope(school.tenant):
        org = OrganisationFactory(tenant=school.tenant)  # a fresh organisation per example
        dept = DepartmentFactory(tenant=school.tenant, organisation=org)
        post = PositionFactory(tenant=school.tenant, organisation=org, name="干事")
        people = [PersonFactory(tenant=school.tenant) for _ in range(4)]
        for person in people:
            MembershipFactory(tenant=school.tenant, person=person, organisation=org, department=dept, position=post,
                              term=school.term, start=school.term.start)
        office = UserFactory(tenant=school.tenant)
        meetings = [
            attendance.meeting_create(organisation=org, kind=kind, title=str(i), stars=stars,
                                      starts_at=first + dt.timedelta(days=i),
                                      ends_at=first + dt.timedelta(days=i, hours=1),
                                      audience=Audience.ORGANISATION, department=dept, user=office, now=timezone.now())
            for i, (kind, stars) in enumerate([("plenary", 3), ("department", 2), ("other", 4), ("activity", 2)])
        ]
        for action, which, person, status, minutes in edits:
            meeting = meetings[which]
            if action == "mark" and not meeting.is_cancelled:
                mark = {"person": people[person].pk, "status": status, "late_minutes": minutes if status == "late"
                        else None}
                attendance.attendance_mark(meeting=meeting, marks=[mark], user=office, now=now)
            elif action == "cancel" and not meeting.is_cancelled:
                attendance.meeting_cancel(meeting=meeting, reason="改期", now=now)
            elif action == "rule":
                rulebook = services.term_rulebook_bind(organisation=org, term=school.term, now=now)
                Rule.objects.filter(rulebook=rulebook, fact="mark", outcome="late").update(points=-minutes)
                services.ledger_sync(organisation=org, term=school.term, now=now)
            # marks and cancellations ask for a sync of the term: once its task has run, the ledger and the
            # members' stored totals and counts equal the facts
            services.ledger_sync_pending(tenant=school.tenant, now=now)
            assert _stored(org, school.term) == _from_scratch(org, school.term, now)
            assert _stored_scores(org, school.term) == _scores_from_scratch(org, school.term, now)
        again = services.ledger_sync(organisation=org, term=school.term, now=now)
        assert (again.created, again.deleted, again.changed) == (0, 0, 0)
        by_person = engine.score(engine.Entry(p, 0, "", "", points, local_date(now))
                                 for p, points in LedgerEntry.objects.filter(organisation=org).values_list(
                                     "person_id", "points"))
        for person in people:
            total = 70 + sum(LedgerEntry.objects.filter(organisation=org, person=person).values_list("points",
                                                                                                      flat=True))
            assert by_person.get(person.pk, 70) == total
        assert Attendance.objects.filter(meeting__organisation=org).count() == 16


def test_every_new_alliance_organisation_gets_the_default_rulebook(school):
    with tenant_scope(school.tenant):
        alliance = OrganisationFactory(tenant=school.tenant, name="新联盟")
        union = OrganisationFactory(tenant=school.tenant, name="学生会", kind="school_union")
        assert list(Rulebook.objects.filter(organisation=alliance).values_list("version", flat=True)) == [1]
        assert Rule.objects.filter(rulebook__organisation=alliance).count() == 60
        assert not Rulebook.objects.filter(organisation=union).exists()
