"""One member's ladder facts (scoring.facts.load_ladder) against the whole term's (scoring.facts.load): the same
ladder counts for every person, from none of anyone else's rows."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance import services as attendance
from attendance.models import Attendance, Audience, MeetingKind
from attendance.tests.factories import SHANGHAI
from members import services as members
from members.tests.factories import MembershipFactory, PersonFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.models import PositionCategory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, PositionFactory
from scoring import engine, facts
from scoring.models import Rule
from scoring.selectors import rulebook_settings
from scoring.tests.factories import DiscretionaryEntryFactory, IncidentFactory

KINDS = [MeetingKind.PLENARY, MeetingKind.DEPARTMENT, MeetingKind.OTHER, MeetingKind.ACTIVITY, MeetingKind.DUTY,
         MeetingKind.PLENARY]
PEOPLE = 4
DAYS = len(KINDS)  # one session a day from the term's first day; posts change between them

STATUS = st.sampled_from(["present", "late", "late", "early_leave", "leave", "absent", "unmarked"])
#: Whom an incident or a discretionary entry is for: a person, or (PEOPLE) the department.
WHOM = st.integers(0, PEOPLE)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cadres=st.lists(st.booleans(), min_size=PEOPLE, max_size=PEOPLE),
    # the days from which each person's post turns cadre ↔ officer (none, one or two changes in the term)
    changes=st.lists(st.sets(st.integers(1, DAYS - 1), max_size=2), min_size=PEOPLE, max_size=PEOPLE),
    marks=st.lists(st.lists(st.tuples(STATUS, st.integers(1, 20)), min_size=PEOPLE, max_size=PEOPLE),
                   min_size=DAYS, max_size=DAYS),
    minutes=st.lists(st.tuples(st.integers(0, DAYS - 1), st.booleans()), max_size=4),
    # whom, which kind, how many days after the term's start (−1: before it), in this organisation or another
    incidents=st.lists(st.tuples(WHOM, st.sampled_from(["rectification", "error"]), st.integers(-1, DAYS),
                                 st.booleans()), max_size=4),
    entries=st.lists(st.tuples(WHOM, st.sampled_from(["careless", "late_task", "helping"]),
                               st.sampled_from(["pending", "approved"])), max_size=4),
)
def test_one_persons_ladder_facts_count_as_the_whole_terms(school, cadres, changes, marks, minutes, incidents,
                                                           entries):
    term = school.term
    first = dt.datetime.combine(term.start, dt.time(19), SHANGHAI)
    now = timezone.now()  # the term began two weeks ago: every session is over
    with tenant_scope(school.tenant):
        org = OrganisationFactory(tenant=school.tenant)  # a fresh organisation per example
        elsewhere = OrganisationFactory(tenant=school.tenant)
        dept = DepartmentFactory(tenant=school.tenant, organisation=org)
        posts = {False: PositionFactory(tenant=school.tenant, organisation=org, name="干事"),
                 True: PositionFactory(tenant=school.tenant, organisation=org, name="部长",
                                       category=PositionCategory.CADRE, rank=10)}
        people = [PersonFactory(tenant=school.tenant) for _ in range(PEOPLE)]
        for person, cadre, days in zip(people, cadres, changes, strict=True):
            membership = MembershipFactory(tenant=school.tenant, person=person, organisation=org, department=dept,
                                           position=posts[cadre], term=term, start=term.start)
            for day in sorted(days):
                cadre = not cadre
                membership = members.membership_change_position(
                    membership=membership, position=posts[cadre], department=dept,
                    on=term.start + dt.timedelta(days=day))
        office = UserFactory(tenant=school.tenant)
        meetings = [
            attendance.meeting_create(organisation=org, kind=kind, title=str(i), stars=1 + i % 5,
                                      starts_at=first + dt.timedelta(days=i),
                                      ends_at=first + dt.timedelta(days=i, hours=1), audience=Audience.ORGANISATION,
                                      department=dept, minutes_taker=people[i % PEOPLE], user=office)
            for i, kind in enumerate(KINDS)
        ]
        for meeting, row in zip(meetings, marks, strict=True):
            attendance.attendance_mark(meeting=meeting, user=office, now=now, marks=[
                {"person": person.pk, "status": status, "late_minutes": late if status == "late" else None}
                for person, (status, late) in zip(people, row, strict=True)])
        for day, taken in minutes:
            if meetings[day].kind in attendance.MINUTES_KINDS:
                attendance.minutes_record(meeting=meetings[day], taken=taken, user=office, now=now)
        for whom, kind, day, here in incidents:
            IncidentFactory(tenant=school.tenant, organisation=org if here else elsewhere, kind=kind,
                            person=people[whom] if whom < PEOPLE else None,
                            department=dept if whom == PEOPLE else None, on=term.start + dt.timedelta(days=day),
                            recorded_by=office)
        rules = {r.outcome: r for r in Rule.objects.filter(rulebook__organisation=org, fact="discretionary")}
        for whom, outcome, approval in entries:
            rule = rules[outcome if whom < PEOPLE else "outstanding_department"]  # the department's one kind
            DiscretionaryEntryFactory(tenant=school.tenant, rule=rule, term=term,
                                      person=people[whom] if whom < PEOPLE else None,
                                      department=dept if whom == PEOPLE else None,
                                      points=rule.points_min if approval == "pending" else rule.points_max,
                                      approval=approval, entered_by=office)

        per = rulebook_settings(organisation=org, term=term)["lates_per_absence"]
        whole = engine.ladder_counts(facts.load(organisation_id=org.pk, term=term), lates_per_absence=per)
        for person in [*people, school.officer.person]:  # the last: no post in this organisation
            own = facts.load_ladder(organisation_id=org.pk, term=term, person_id=person.pk)
            # nothing of anyone else
            assert {m[1] for m in own.marks} | {p.person_id for p in own.posts} | {m.taker_id for m in own.minutes} \
                | {i.person_id for i in own.incidents} | {d.person_id for d in own.discretionary} <= {person.pk}
            assert engine.ladder_counts(own, lates_per_absence=per).get(person.pk) == whole.get(person.pk)
        # the marks as stored reached the counts
        assert sum(c.lates + c.absences for c in whole.values()) == Attendance.objects.filter(
            meeting__organisation=org, status__in=["late", "absent"]).count()
