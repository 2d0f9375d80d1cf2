"""Fixtures shared by the attendance tests (no import needed): the school's other organisation's office, and
``more`` people around the fixture school's organisation. Both build on the ``school`` fixture
(``members.tests.school``) that the test module imports."""

import datetime as dt
from types import SimpleNamespace

import pytest

from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from tests.personas import add_other_office, add_president


@pytest.fixture
def other_office(school):
    """The office of another organisation of the same school."""
    return add_other_office(school)


@pytest.fixture(name="more")
def more_fixture(school):
    """A second department (宣传部) with a member and its head, a president, another organisation and its office,
    and a former member of the organisation."""
    t = school.tenant
    with tenant_scope(t):
        publicity = DepartmentFactory(tenant=t, organisation=school.org, name="宣传部")
        outsider = PersonFactory(tenant=t, name="王外部")
        MembershipFactory(tenant=t, person=outsider, organisation=school.org, department=publicity,
                          position=school.officer_post, term=school.term, start=school.term.start)
        publicity_head = UserFactory(tenant=t, username="publicity_head")
        RoleAssignmentFactory(tenant=t, user=publicity_head, role=Role.DEPARTMENT_HEAD, department=publicity)
        president = add_president(school)
        former = PersonFactory(tenant=t, name="赵已退")
        MembershipFactory(tenant=t, person=former, organisation=school.org, department=school.dept,
                          position=school.officer_post, term=school.term, start=school.term.start,
                          end=school.term.start + dt.timedelta(days=1))
        other_office = add_other_office(school)
        other_org = other_office.other_org
        other_dept = DepartmentFactory(tenant=t, organisation=other_org, name="外联部")
    return SimpleNamespace(publicity=publicity, outsider=outsider, publicity_head=publicity_head,
                           president=president, former=former, other_org=other_org, other_dept=other_dept,
                           other_office=other_office)
