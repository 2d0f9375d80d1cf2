"""The home page starts with the to-do (members.home section of the duty engine): what is overdue and due soon
from me, what is overdue below me, by duty with its count and links; said plainly when there is nothing; in a
number of queries that does not grow with the items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from duties.tests.report_duty import report_fixture  # noqa: F401 - the "report" fixture
from members.home import HOME_SECTIONS, HomeSection, home_sections, register_home_section
from members.models import Role
from members.tests.factories import RoleAssignmentFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import OrganisationFactory
from tests.personas import add_president, login_as

LATE, SOON = -dt.timedelta(days=2), dt.timedelta(hours=20)


def _home(client, user) -> str:
    response = login_as(client, user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _todo(html: str) -> str:
    """The to-do block alone."""
    start = html.index('<section class="card todo"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def president(school):
    return add_president(school)


def test_the_office_sees_its_overdue_and_due_soon_items_with_links_and_due_times(client, school, report):
    report.plan += [("2026年10月", LATE, False), ("2026年11月", SOON, False), ("2026年9月", LATE, True)]
    html = _home(client, school.office)
    todo = _todo(html)
    url = reverse("orgs:organisation_detail", kwargs={"organisation_id": school.org.pk})
    assert todo.index("已逾期") < todo.index("即将到期") and "下属逾期" not in todo
    overdue, soon = todo.split("即将到期")
    assert report.label in overdue and f'<a href="{url}">alpha朋辈互助联盟 2026年10月</a>' in overdue
    assert "已逾期 2 天" in overdue
    assert f'<a href="{url}">alpha朋辈互助联盟 2026年11月</a>' in soon
    due = timezone.localtime(timezone.now() + SOON)
    assert f"{formats.date_format(due, 'n月j日 H:i')} 截止" in soon
    assert "2026年9月" not in todo  # done: not on the to-do
    # first on the page, before the role cards, which stay
    assert html.index("待办事项") < html.index('class="card role-card"')
    assert "目前没有待办事项" not in html


def test_the_president_sees_what_is_overdue_below_them(client, school, report, president):
    report.plan += [("2026年10月", LATE, False), ("2026年11月", SOON, False)]
    todo = _todo(_home(client, president))
    assert "下属逾期" in todo and "已逾期 2 天" in todo and "alpha朋辈互助联盟 2026年10月" in todo
    assert "即将到期" not in todo and "2026年11月" not in todo  # not overdue yet: the office's own business


def test_someone_with_nothing_due_is_told_so_plainly(client, school, report, president):
    report.plan += [("2026年10月", LATE, False)]
    for user in (school.admin, school.officer, school.head, school.other_admin):
        todo = _todo(_home(client, user))
        assert "目前没有待办事项。" in todo and "alpha朋辈互助联盟" not in todo, user
    report.plan.clear()
    assert "目前没有待办事项。" in _todo(_home(client, school.office))


def test_a_group_of_many_items_lists_each_with_the_rest_folded(client, school, report):
    report.plan += [(f"第{n}期", LATE - dt.timedelta(days=n), False) for n in range(5)]
    todo = _todo(_home(client, school.office))
    assert "5 项" in todo and "另外 2 项" in todo and "<details" in todo
    assert all(f"alpha朋辈互助联盟 第{n}期</a>" in todo for n in range(5))
    assert todo.index("第4期") < todo.index("第0期") and "已逾期 6 天" in todo  # by due time: the longest late first


def test_late_today_says_the_time_it_was_due(client, school, report):
    now = timezone.localtime(timezone.now())
    if now.hour == 0 and now.minute < 5:
        pytest.skip("just after midnight: five minutes ago was yesterday")
    report.plan += [("今天", -dt.timedelta(minutes=5), False)]
    due = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    assert f"今天 {due:%H:%M} 已截止" in _todo(_home(client, school.office))


def test_the_platform_admin_has_no_to_do(client, school, report):
    html = _home(client, school.platform)
    assert "待办事项" not in html and "学校列表" in html


def test_anonymous_is_sent_to_log_in(client, school, report):
    assert client.get(reverse("home")).status_code == 302


def _count(client, user) -> int:
    login_as(client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_page_runs_constant_queries_whatever_the_items(client, school, report, president,
                                                                django_assert_num_queries):
    report.plan += [("2026年10月", LATE, False), ("2026年11月", SOON, False)]
    office, boss = _count(client, school.office), _count(client, president)
    # a larger world: more periods for every organisation, and more organisations with their offices
    report.plan += [(f"第{n}期", LATE - dt.timedelta(hours=n), n % 3 == 0) for n in range(12)]
    report.plan += [(f"下{n}期", SOON + dt.timedelta(hours=n), False) for n in range(6)]
    with tenant_scope(school.tenant):
        for n in range(6):
            org = OrganisationFactory(tenant=school.tenant, name=f"组织{n}")
            RoleAssignmentFactory(tenant=school.tenant, user=UserFactory(tenant=school.tenant), role=Role.OFFICE,
                                  organisation=org)
    login_as(client, school.office)
    with django_assert_num_queries(office):
        html = client.get(reverse("home")).content.decode()
    assert "另外" in _todo(html)
    login_as(client, president)
    with django_assert_num_queries(boss):
        client.get(reverse("home"))


# --- the registry of home sections (members.home) ---


def test_sections_come_in_their_order_and_one_with_nothing_is_left_out(rf, monkeypatch):
    monkeypatch.setattr("members.home.HOME_SECTIONS", list(HOME_SECTIONS))
    late = register_home_section(HomeSection("late.html", lambda request: {"n": 2}, order=200))
    early = register_home_section(HomeSection("early.html", lambda request: {"n": 1}, order=1))
    register_home_section(HomeSection("quiet.html", lambda request: None, order=5))
    register_home_section(late)  # once
    request = rf.get("/")
    request.tenant = None
    found = [s for s in home_sections(request) if s["template"] in ("late.html", "early.html", "quiet.html")]
    assert found == [{"template": early.template, "context": {"n": 1}},
                     {"template": late.template, "context": {"n": 2}}]
