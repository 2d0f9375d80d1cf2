"""What the browser tests share: a school whose organisation has members in one department and an office
user "bgs", logging in through the login page, and a plenary of twelve members on its attendance page (the
``plenary`` fixture: ``from tests.browser_school import plenary_fixture``) with its rows and saves."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind
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


SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(name="plenary")
def plenary_fixture():
    names = ["林晓雨", "陈思远", "王子涵", "赵一鸣", "刘欣然", "杨帆", "黄诗琪", "周子轩", "吴雨桐", "徐浩然",
             "孙佳怡", "马俊杰"]
    school = school_with_office(slug="att_browser", name="考勤测试大学", members=names)
    tenant, org, people, office = school["tenant"], school["org"], school["people"], school["office"]
    with tenant_scope(tenant):
        start = timezone.now() - dt.timedelta(minutes=30)
        meeting = services.meeting_create(
            organisation=org, kind=MeetingKind.PLENARY, title="十一月全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), place="学生活动中心 201", audience=Audience.ORGANISATION,
            user=office, now=timezone.now())
    return {"tenant": tenant, "meeting": meeting, "people": people}


def _row(page, person):
    return page.locator(f'.att-row[data-person="{person.pk}"]')


def _all_saved(page):
    page.wait_for_function(
        "() => !document.querySelector('.att-row.is-saving') && !localStorage.getItem('attendance:pending:' + "
        "document.getElementById('attendance').dataset.meeting)"
    )
