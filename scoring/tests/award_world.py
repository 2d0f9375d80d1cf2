"""An organisation's term with award lists to compute, on top of the "school" fixture (members/tests/school.py).

``awards`` is a pytest fixture (``from scoring.tests.award_world import awards_fixture`` in a test module):

* 办公室 (``school.dept``): officers ``student_x`` (a failed course: excluded) and ``officer`` (70), cadre ``head``
  (70, DEPARTMENT_HEAD of it);
* 宣传部 (``publicity``): seven officers ``members`` scoring 78, 78, 75, 73, 71, 70, 68 (the last with two lates
  and an unexcused absence: excluded; the one at 70 with two lates: eligible) and the cadre ``publicity_head``
  (head of it, 72);
* 主席团 (``presidium``, the presidium): the cadre ``president`` (PRESIDENT of the organisation, 74).

Scores are ledger entries written directly (a discretionary rule of the term's rulebook): nothing here syncs.
"""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import MeetingKind
from attendance.tests.factories import AttendanceFactory, MeetingFactory
from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from scoring import engine, facts, selectors, services
from scoring.models import LedgerEntry, MemberScore, Rule

PUBLICITY_POINTS = (8, 8, 5, 3, 1, 0, -2)


def join(s, person, department, *, cadre=False):
    return MembershipFactory(tenant=s.tenant, person=person, organisation=s.org, department=department,
                             position=s.head_post if cadre else s.officer_post, term=s.term, start=s.term.start)


def give(s, person, points: int):
    """Points on the person's ledger (one entry, a fresh fact key each time) and in their stored total, as the
    ledger sync would leave them."""
    if points:
        LedgerEntry.objects.create(tenant=s.tenant, organisation=s.org, term=s.term, person=person, rule=s.rule,
                                   fact_type="discretionary", fact_key=str(LedgerEntry.objects.count() + 1),
                                   points=points, on=local_date(timezone.now()))
        score = MemberScore.objects.get_or_create(tenant=s.tenant, organisation=s.org, term=s.term,
                                                  person=person)[0]
        score.points, score.entries = score.points + points, score.entries + 1
        score.save(update_fields=["points", "entries"])


def count(s):
    """Store every member's ladder counts from the term's facts, as the ledger sync would (the world's points are
    given directly, so it does not run the sync, which would drop them)."""
    settings = selectors.rulebook_settings(organisation=s.org, term=s.term)
    counted = engine.ladder_counts(facts.load(organisation_id=s.org.pk, term=s.term),
                                   lates_per_absence=settings["lates_per_absence"])
    for person_id, c in counted.items():
        MemberScore.objects.update_or_create(
            tenant=s.tenant, organisation=s.org, term=s.term, person_id=person_id,
            defaults={**{name: getattr(c, name) for name in MemberScore.COUNT_FIELDS}, "incidents": c.incidents})


def mark(s, person, *statuses):
    """One meeting of the organisation (yesterday) per status, the person marked so."""
    for i, status in enumerate(statuses):
        start = timezone.now() - dt.timedelta(days=1, hours=i + 1)
        meeting = MeetingFactory(tenant=s.tenant, organisation=s.org, kind=MeetingKind.OTHER, stars=2,
                                 title=f"例会{i}", starts_at=start, ends_at=start + dt.timedelta(minutes=30),
                                 created_by=s.office)
        AttendanceFactory(tenant=s.tenant, meeting=meeting, person=person, status=status)
    count(s)


def role_user(s, role, username, **scope):
    user = UserFactory(tenant=s.tenant, username=username)
    RoleAssignmentFactory(tenant=s.tenant, user=user, role=role, **scope)
    return user


def build_awards(s):
    with tenant_scope(s.tenant):
        rulebook = services.term_rulebook_bind(organisation=s.org, term=s.term, now=timezone.now())
        s.rule = Rule.objects.get(rulebook=rulebook, fact="discretionary", outcome="helping")
        s.presidium = DepartmentFactory(tenant=s.tenant, organisation=s.org, name="主席团", is_presidium=True,
                                        order=0)
        s.dept.order = 1
        s.dept.save(update_fields=["order"])
        s.publicity = DepartmentFactory(tenant=s.tenant, organisation=s.org, name="宣传部", order=2)
        s.president = role_user(s, Role.PRESIDENT, "alpha_president", organisation=s.org)
        join(s, s.president.person, s.presidium, cadre=True)
        give(s, s.president.person, 4)
        s.publicity_head = role_user(s, Role.DEPARTMENT_HEAD, "alpha_publicity_head", department=s.publicity)
        join(s, s.publicity_head.person, s.publicity, cadre=True)
        give(s, s.publicity_head.person, 2)
        s.members = []
        for i, points in enumerate(PUBLICITY_POINTS):
            person = PersonFactory(tenant=s.tenant, name=f"宣传干事{i}")
            join(s, person, s.publicity)
            give(s, person, points)
            s.members.append(person)
        mark(s, s.members[5], "late", "late")
        mark(s, s.members[6], "late", "late", "absent")
    return s


@pytest.fixture(name="awards")
def awards_fixture(school):
    return build_awards(school)


def add_officers(s, n: int, *, department=None, start_points: int = 0):
    """``n`` more officers (of 宣传部 by default), with points."""
    with tenant_scope(s.tenant):
        for i in range(n):
            person = PersonFactory(tenant=s.tenant, name=f"新干事{start_points + i}")
            join(s, person, department or s.publicity)
            give(s, person, start_points + i)
