"""The school's duties page (the school admin's): every duty of the enabled modules with its rule, its people,
its numbers as they are in force (each linking to the policies page), the next due time, and done / due /
overdue per scope and in total; the same number of queries whatever the items."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duties.registry import REGISTRY
from duties.tests.report_duty import report_fixture  # noqa: F401 - the "report" fixture
from members.models import Role
from members.tests.factories import RoleAssignmentFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs import policies
from orgs.models import PolicyValue
from orgs.tenancy import tenant_scope
from orgs.tests.factories import OrganisationFactory
from tests.personas import SCHOOL_ROLES, login_as, personas, statuses

URL = reverse("duties:duty_list")
LATE, SOON = -dt.timedelta(days=2), dt.timedelta(hours=20)


def test_the_page_is_the_school_admins(client, school, report):
    # like the policies page: another school's admin sees their own school's duties
    assert statuses(client, URL, personas(school, names=SCHOOL_ROLES)) == {
        "anonymous": 302, "admin": 200, "counsellor": 403, "office": 403, "head": 403, "logistics": 403,
        "officer": 403, "platform": 403, "other_admin": 200}
    assert statuses(client, URL, {"admin": school.admin}, "post") == {"admin": 405}


def test_the_admins_card_links_to_it_and_no_one_elses(client, school, report):
    link = f'href="{URL}"'
    assert link in login_as(client, school.admin).get(reverse("home")).content.decode()
    assert link not in login_as(client, school.office).get(reverse("home")).content.decode()


def test_each_duty_with_its_rule_numbers_next_due_and_counts_per_scope(client, school, report):
    report.plan += [("十月", LATE, False), ("九月", LATE, True), ("十一月", SOON, False),
                    ("十二月", SOON + dt.timedelta(hours=1), False)]
    with tenant_scope(school.tenant):
        OrganisationFactory(tenant=school.tenant, name="青年志愿者协会")
        PolicyValue.objects.create(tenant=school.tenant, key="duties.remind_first_days", value=5,
                                   effective_from=dt.date(2020, 1, 1), changed_by=school.admin)
    response = login_as(client, school.admin).get(URL)
    html = response.content.decode()
    for words in (report.label, "每期结束前报送", "组织的办公室", "组织的主席"):
        assert words in html
    policy = policies.get("duties.remind_first_days")
    assert f'<strong class="num">5</strong> {policy.unit}' in html  # the value in force, not the default 3
    assert f'href="{reverse("orgs:policy_change", kwargs={"key": policy.key})}"' in html
    [row] = response.context["rows"]
    assert row["totals"] == {"done": 2, "due": 4, "overdue": 2}
    assert row["scopes"] == [("alpha朋辈互助联盟", {"done": 1, "due": 2, "overdue": 1}),
                             ("青年志愿者协会", {"done": 1, "due": 2, "overdue": 1})]
    assert row["next_due"] == response.context["now"] + SOON
    assert "合计" in html and "乙大学" not in html and "beta" not in html


def test_another_schools_admin_sees_their_own_schools_counts(client, school, report):
    report.plan += [("十月", LATE, False)]
    response = login_as(client, school.other_admin).get(URL)
    [row] = response.context["rows"]
    assert row["scopes"] == [("beta朋辈互助联盟", {"done": 0, "due": 0, "overdue": 1})]
    assert "alpha" not in response.content.decode()


def test_a_duty_of_a_module_the_school_has_off_is_not_listed(client, school, report):
    with tenant_scope(school.tenant):
        school.tenant.modules = []
        school.tenant.save()
    REGISTRY[report.key] = dataclasses.replace(REGISTRY[report.key], module="alliance")
    html = login_as(client, school.admin).get(URL).content.decode()
    assert report.label not in html and "本校已启用的模块没有需要提醒的职责。" in html


def test_every_registered_duty_names_policies_that_exist():
    missing = {d.key: [k for k in d.policies if k not in policies.REGISTRY] for d in REGISTRY.values()}
    assert not any(missing.values()), missing


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_runs_constant_queries_whatever_the_items(client, school, report, django_assert_num_queries):
    report.plan += [("十月", LATE, False), ("十一月", SOON, False)]
    login_as(client, school.admin)
    few = _count(client)
    report.plan += [(f"第{n}期", LATE - dt.timedelta(hours=n), n % 2 == 0) for n in range(10)]
    with tenant_scope(school.tenant):
        for n in range(8):
            org = OrganisationFactory(tenant=school.tenant, name=f"组织{n}")
            RoleAssignmentFactory(tenant=school.tenant, user=UserFactory(tenant=school.tenant), role=Role.OFFICE,
                                  organisation=org)
    with django_assert_num_queries(few):
        response = client.get(URL)
    assert len(response.context["rows"][0]["scopes"]) == 9


@pytest.mark.parametrize("who", ["admin", "other_admin"])
def test_no_duty_items_at_all_is_a_page_of_zeros(client, school, report, who):
    response = login_as(client, getattr(school, who)).get(URL)
    assert response.status_code == 200 and "目前没有这一职责的事项。" in response.content.decode()
