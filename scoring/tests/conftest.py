"""Fixtures shared by the scoring tests (no import needed): another organisation's office, the ``cast`` around
the fixture school's organisation, and a ``laddered`` school whose officer has a proposed warning. They build on
the ``school`` fixture (``members.tests.school``) that the test module imports."""

from types import SimpleNamespace

import pytest

from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from scoring.models import Sanction
from scoring.tests.sanction_world import _lates
from tests.personas import add_other_office, add_president


@pytest.fixture
def other_office(school):
    """The office of another organisation of the same school."""
    return add_other_office(school)


@pytest.fixture(name="cast")
def cast_fixture(school):
    """The school with the organisation's president, another organisation (with its office, a department and a
    member) and a second department of ``org`` with one officer."""
    with tenant_scope(school.tenant):
        president = add_president(school)
        other_office = add_other_office(school)
        other_org = other_office.other_org
        other_president = UserFactory(tenant=school.tenant, username="other_president")
        RoleAssignmentFactory(tenant=school.tenant, user=other_president, role=Role.PRESIDENT,
                              organisation=other_org)
        other_dept = DepartmentFactory(tenant=school.tenant, organisation=other_org, name="外联部")
        outsider = PersonFactory(tenant=school.tenant, name="赵外联")
        MembershipFactory(tenant=school.tenant, person=outsider, organisation=other_org, department=other_dept,
                          term=school.term, start=school.term.start)
        publicity = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="宣传部")
        writer = PersonFactory(tenant=school.tenant, name="钱宣传")
        MembershipFactory(tenant=school.tenant, person=writer, organisation=school.org, department=publicity,
                          position=school.officer_post, term=school.term, start=school.term.start)
    return SimpleNamespace(school=school, president=president, other_org=other_org, other_office=other_office,
                           other_president=other_president, other_dept=other_dept, outsider=outsider,
                           publicity=publicity, writer=writer)


@pytest.fixture
def laddered(school):
    """A warning proposed for the school's officer (three lates), with a president and another office."""
    school.president = add_president(school)
    school.other_office = add_other_office(school)
    school.meetings = _lates(school, school.officer.person, 3)
    with tenant_scope(school.tenant):
        school.sanction = Sanction.objects.get(person=school.officer.person)
    return school
