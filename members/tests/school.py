"""A small school for the page tests: one user per persona, two students, and a second school.

``school`` is a pytest fixture (``from members.tests.school import school_fixture`` in a test module).
Names follow SPEC "Who uses it":

* ``admin``       tenant admin (学生处), sees the whole school and every sensitive field;
* ``counsellor``  counsellor of ``class_a`` (sees its students, their political status and discipline);
* ``office``      office staff of ``org`` (sees the organisation's members, no sensitive field);
* ``head``        head of ``dept`` in ``org``;
* ``logistics``   a role over the whole school that lists nobody (browses buildings, no people list);
* ``officer``     an officer of ``dept`` with no role at all (sees only themselves);
* ``platform``    the platform admin (no school);
* ``other_admin`` tenant admin of ``other`` (another school) — every object of ``tenant`` is a 404 to them.

``student_x`` is in ``class_a``, lives in ``room``, is a party member with a disciplinary record and a
membership of ``dept``; ``student_y`` is in ``class_b`` and in no organisation.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from members.models import PoliticalStatus, Role, User
from members.tests.factories import (
    AcademicStandingFactory,
    DisciplinaryRecordFactory,
    MembershipFactory,
    PersonFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from orgs.calendar import local_date, monday_of
from orgs.models import PositionCategory
from orgs.tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    FloorFactory,
    OrganisationFactory,
    PositionFactory,
    RoomFactory,
    SchoolClassFactory,
    TenantFactory,
    TermFactory,
)

PASSWORD = settings.DEMO_PASSWORD


def today():
    return local_date(timezone.now())


def build_school(*, slug="alpha", name="甲大学"):
    t = TenantFactory(slug=slug, name=name)
    # A term in progress, whose week 1 began two Mondays before this week's: today is in teaching week 3.
    term = TermFactory(tenant=t, start=monday_of(today()) - dt.timedelta(weeks=2),
                       end=today() + dt.timedelta(weeks=10))
    class_a = SchoolClassFactory(tenant=t, name=f"{slug}计算机2401班")
    class_b = SchoolClassFactory(tenant=t, name=f"{slug}数学2402班", major__college=class_a.college)
    building = BuildingFactory(tenant=t, name=f"{slug}南苑1栋")
    floor = FloorFactory(tenant=t, building=building, number=3)
    room = RoomFactory(tenant=t, floor=floor, number="301", capacity=4)
    org = OrganisationFactory(tenant=t, name=f"{slug}朋辈互助联盟")
    dept = DepartmentFactory(tenant=t, organisation=org, name="办公室")
    officer_post = PositionFactory(tenant=t, organisation=org, name="干事")
    head_post = PositionFactory(tenant=t, organisation=org, name="部长", category=PositionCategory.CADRE, rank=10)

    student_x = PersonFactory(tenant=t, name="张晓雨", school_class=class_a, room=room,
                              political_status=PoliticalStatus.PARTY_MEMBER)
    student_y = PersonFactory(tenant=t, name="李明轩", school_class=class_b)
    MembershipFactory(tenant=t, person=student_x, organisation=org, department=dept, position=officer_post,
                      term=term, start=term.start)
    DisciplinaryRecordFactory(tenant=t, person=student_x, reason="夜不归宿")
    AcademicStandingFactory(tenant=t, person=student_x, term=term, rank_percentile=12, failed_courses=1)

    def role_user(role, username, **scope):
        user = UserFactory(tenant=t, username=username)
        RoleAssignmentFactory(tenant=t, user=user, role=role, **scope)
        return user

    officer = UserFactory(tenant=t, username=f"{slug}_officer")
    MembershipFactory(tenant=t, person=officer.person, organisation=org, department=dept, position=officer_post,
                      term=term, start=term.start)
    head = role_user(Role.DEPARTMENT_HEAD, f"{slug}_head", department=dept)
    MembershipFactory(tenant=t, person=head.person, organisation=org, department=dept, position=head_post,
                      term=term, start=term.start)
    return SimpleNamespace(
        tenant=t, term=term, college=class_a.college, class_a=class_a, class_b=class_b, building=building,
        floor=floor, room=room, org=org, dept=dept, officer_post=officer_post, head_post=head_post,
        student_x=student_x, student_y=student_y, officer=officer, head=head,
        admin=role_user(Role.TENANT_ADMIN, f"{slug}_admin"),
        counsellor=role_user(Role.COUNSELLOR, f"{slug}_counsellor", school_class=class_a),
        office=role_user(Role.OFFICE, f"{slug}_office", organisation=org),
        logistics=role_user(Role.LOGISTICS, f"{slug}_logistics"),
    )


@pytest.fixture(name="school")
def school_fixture(db):
    s = build_school()
    other = build_school(slug="beta", name="乙大学")
    s.other = other
    s.other_admin = other.admin
    s.platform = User.objects.create_user("platform", password=PASSWORD, is_platform_admin=True)
    return s
