"""What the browser tests share: a school whose organisation has members in one department and an office
user "bgs", and logging in through the login page."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, PositionFactory, TenantFactory, TermFactory


def school_with_office(*, slug, name, members):
    """A school (``slug``, ``name``) with a current term, the organisation 朋辈互助联盟, its 办公室, one member
    (numbered 20240001, …) for each of ``members`` and the office user "bgs"."""
    tenant = TenantFactory(slug=slug, name=name)
    with tenant_scope(tenant):
        today = local_date(timezone.now())
        term = TermFactory(tenant=tenant, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=60))
        org = OrganisationFactory(tenant=tenant, name="朋辈互助联盟")
        dept = DepartmentFactory(tenant=tenant, organisation=org, name="办公室")
        post = PositionFactory(tenant=tenant, organisation=org, name="干事")
        people = []
        for n, person_name in enumerate(members):
            person = PersonFactory(tenant=tenant, name=person_name, number=f"2024{n + 1:04d}")
            MembershipFactory(tenant=tenant, person=person, organisation=org, department=dept, position=post,
                              term=term, start=term.start)
            people.append(person)
        office = RoleAssignmentFactory(tenant=tenant, role=Role.OFFICE, organisation=org,
                                       user__username="bgs").user
    return {"tenant": tenant, "org": org, "people": people, "office": office}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名或学号").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
