"""Pages of the school's structure, the policy settings (OR-6) and the platform's school list.

Every view: its owner role gets 200, another role of the same school 403 (or 404 where existence is
hidden), a user of another school 404 for object pages. List pages: search, pagination, and a query count
that does not grow with the number of rows.
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.models import PolicyValue, Tenant
from orgs.tenancy import scopes_disabled, tenant_scope
from orgs.tests.factories import (
    BuildingFactory,
    CollegeFactory,
    DepartmentFactory,
    FloorFactory,
    MajorFactory,
    OrganisationFactory,
    RoomFactory,
    SchoolClassFactory,
    TenantFactory,
)
from tests.personas import SCHOOL_ROLES, personas, statuses

_counter = itertools.count(1)


def factory_sequence() -> str:
    return f"X{next(_counter):05d}"


# Structure pages are for every role holder (orgs.browse_structure); the officer holds no role (403), nor does
# the platform admin, who has no school. Another school's admin sees their own lists (200) but not our objects.
ROLE_HOLDERS = {"admin": 200, "counsellor": 200, "office": 200, "head": 200, "logistics": 200}
LIST_PAGE = {"anonymous": 302, **ROLE_HOLDERS, "officer": 403, "platform": 403, "other_admin": 200}
OBJECT_PAGE = {**LIST_PAGE, "other_admin": 404}

STRUCTURE_URLS = [
    ("orgs:college_list", lambda s: {}, LIST_PAGE),
    ("orgs:college_detail", lambda s: {"college_id": s.college.pk}, OBJECT_PAGE),
    ("orgs:class_list", lambda s: {}, LIST_PAGE),
    ("orgs:class_detail", lambda s: {"schoolclass_id": s.class_a.pk}, OBJECT_PAGE),
    ("orgs:building_list", lambda s: {}, LIST_PAGE),
    ("orgs:building_detail", lambda s: {"building_id": s.building.pk}, OBJECT_PAGE),
    ("orgs:room_detail", lambda s: {"room_id": s.room.pk}, OBJECT_PAGE),
    ("orgs:organisation_list", lambda s: {}, LIST_PAGE),
    ("orgs:organisation_detail", lambda s: {"organisation_id": s.org.pk}, OBJECT_PAGE),
    ("orgs:department_detail", lambda s: {"department_id": s.dept.pk}, OBJECT_PAGE),
]

ADMIN_ONLY = {"anonymous": 302, "admin": 200, "counsellor": 403, "office": 403, "head": 403, "logistics": 403,
              "officer": 403, "platform": 403, "other_admin": 200}
# The platform's pages do not exist for anyone but the platform admin: 404, even when not logged in.
PLATFORM_ONLY = {persona: 404 for persona in SCHOOL_ROLES} | {"platform": 200}

SETTINGS_AND_PLATFORM_URLS = [
    ("orgs:policy_list", lambda s: {}, ADMIN_ONLY),
    ("orgs:policy_change", lambda s: {"key": "members.import_max_mb"}, ADMIN_ONLY),
    ("orgs:tenant_list", lambda s: {}, PLATFORM_ONLY),
    ("orgs:tenant_create", lambda s: {}, PLATFORM_ONLY),
    ("orgs:tenant_edit", lambda s: {"tenant_id": s.tenant.pk}, PLATFORM_ONLY),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), STRUCTURE_URLS + SETTINGS_AND_PLATFORM_URLS,
                         ids=[u[0] for u in STRUCTURE_URLS + SETTINGS_AND_PLATFORM_URLS])
def test_who_gets_what(client, school, name, kwargs, expected):
    assert statuses(client, reverse(name, kwargs=kwargs(school)), personas(school, names=SCHOOL_ROLES)) == expected


@pytest.mark.parametrize(("name", "kwarg"), [
    ("orgs:college_detail", "college_id"), ("orgs:class_detail", "schoolclass_id"),
    ("orgs:building_detail", "building_id"), ("orgs:room_detail", "room_id"),
    ("orgs:organisation_detail", "organisation_id"), ("orgs:department_detail", "department_id"),
])
def test_a_missing_object_is_the_same_404_as_another_schools(client, school, name, kwarg):
    client.force_login(school.admin)
    assert client.get(reverse(name, kwargs={kwarg: 999_999})).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, school):
    response = client.get(reverse("orgs:college_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_menu_links_to_the_pages_each_role_may_open(client, school):
    client.force_login(school.admin)
    html = client.get(reverse("home")).content.decode()
    for name in ("orgs:college_list", "orgs:building_list", "orgs:organisation_list", "members:person_list",
                 "orgs:policy_list"):
        assert f'href="{reverse(name)}"' in html
    client.force_login(school.logistics)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("orgs:building_list")}"' in html
    assert f'href="{reverse("members:person_list")}"' not in html
    assert f'href="{reverse("orgs:policy_list")}"' not in html


# --- structure: content, search, pagination ---


def test_college_detail_lists_its_majors_and_classes(client, school):
    client.force_login(school.counsellor)
    html = client.get(reverse("orgs:college_detail", kwargs={"college_id": school.college.pk})).content.decode()
    assert school.class_a.name in html and school.class_b.name in html
    assert school.class_a.major.name in html
    assert school.other.class_a.name not in html


def test_college_list_search_and_pagination(client, school):
    with tenant_scope(school.tenant):
        for n in range(60):
            CollegeFactory(tenant=school.tenant, code=f"Z{n:03d}", name=f"测试学院{n:03d}")
    client.force_login(school.admin)
    url = reverse("orgs:college_list")
    first = client.get(url)
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == second.context["page"].paginator.count - 50
    found = client.get(url, {"q": "测试学院059"})
    assert [c.name for c in found.context["page"]] == ["测试学院059"]
    # the page links keep the search
    many = client.get(url, {"q": "测试学院"})
    assert many.context["page"].paginator.count == 60
    assert "?q=%E6%B5%8B%E8%AF%95%E5%AD%A6%E9%99%A2&amp;page=2" in many.content.decode()
    assert client.get(url, {"page": "999"}).status_code == 200  # a page past the end shows the last one


def test_class_list_filters_by_college_year_and_name(client, school):
    other_college = CollegeFactory(tenant=school.tenant)
    SchoolClassFactory(tenant=school.tenant, name="别院2301班", major__college=other_college, enrolment_year=2023)
    client.force_login(school.admin)
    url = reverse("orgs:class_list")
    names = lambda response: {c.name for c in response.context["page"]}  # noqa: E731
    assert names(client.get(url, {"college": school.college.pk})) == {school.class_a.name, school.class_b.name}
    assert names(client.get(url, {"enrolment_year": 2023})) == {"别院2301班"}
    assert names(client.get(url, {"q": "数学"})) == {school.class_b.name}
    # another school's college is not a choice: the filter is dropped, never applied across schools
    response = client.get(url, {"college": school.other.college.pk})
    assert response.status_code == 200 and "college" in response.context["form"].errors


def test_class_detail_lists_only_the_students_the_user_may_see(client, school):
    url = reverse("orgs:class_detail", kwargs={"schoolclass_id": school.class_a.pk})
    client.force_login(school.counsellor)
    assert school.student_x.name in client.get(url).content.decode()
    client.force_login(school.logistics)  # browses the structure, sees nobody's data
    html = client.get(url).content.decode()
    assert school.student_x.name not in html
    assert "没有可显示的人员" in html


def test_building_detail_shows_floors_and_occupancy(client, school):
    with tenant_scope(school.tenant):
        PersonFactory(tenant=school.tenant, room=school.room)  # x and this one: 2 of 4 beds
    client.force_login(school.logistics)
    html = client.get(reverse("orgs:building_detail", kwargs={"building_id": school.building.pk})).content.decode()
    assert "3 层" in html
    assert school.room.number in html
    assert "2/4" in html


def test_room_detail_shows_residents_the_user_may_see_and_the_count_of_the_rest(client, school):
    with tenant_scope(school.tenant):
        PersonFactory(tenant=school.tenant, room=school.room, name="王二同住")
    url = reverse("orgs:room_detail", kwargs={"room_id": school.room.pk})
    client.force_login(school.admin)
    html = client.get(url).content.decode()
    assert school.student_x.name in html and "王二同住" in html
    client.force_login(school.counsellor)  # sees class_a only
    html = client.get(url).content.decode()
    assert school.student_x.name in html and "王二同住" not in html
    assert "只显示你有权查看的 1 人" in html


def test_organisation_list_filters_by_kind_and_name(client, school):
    OrganisationFactory(tenant=school.tenant, name="计算机学院第一党支部", kind="party_branch")
    client.force_login(school.admin)
    url = reverse("orgs:organisation_list")
    assert [o.name for o in client.get(url, {"kind": "party_branch"}).context["page"]] == ["计算机学院第一党支部"]
    assert [o.name for o in client.get(url, {"q": "朋辈"}).context["page"]] == [school.org.name]


def test_organisation_detail_shows_structure_and_the_members_the_user_may_see(client, school):
    child = OrganisationFactory(tenant=school.tenant, name="子组织", parent=school.org)
    url = reverse("orgs:organisation_detail", kwargs={"organisation_id": school.org.pk})
    client.force_login(school.office)
    response = client.get(url)
    html = response.content.decode()
    assert child.name in html and school.dept.name in html
    assert school.officer_post.name in html and school.head_post.name in html
    members = {m.person.name for m in response.context["page"]}
    assert members == {school.student_x.name, school.officer.person.name, school.head.person.name}
    client.force_login(school.counsellor)  # reaches only class_a: x is there, the officer and head are not
    assert {m.person.name for m in client.get(url).context["page"]} == {school.student_x.name}


def test_department_detail_shows_current_members_and_history(client, school):
    with tenant_scope(school.tenant):
        former = MembershipFactory(
            tenant=school.tenant, organisation=school.org, department=school.dept, position=school.officer_post,
            term=school.term, start=school.term.start, end=school.term.start + dt.timedelta(days=20),
            end_reason="因学业原因退出",
        )
    client.force_login(school.admin)
    response = client.get(reverse("orgs:department_detail", kwargs={"department_id": school.dept.pk}))
    current = {m.person.name for m in response.context["current"]}
    assert school.student_x.name in current and former.person.name not in current
    assert former.person.name in response.content.decode()
    assert "因学业原因退出" in response.content.decode()


# --- query counts do not grow with rows ---


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_structure(school, n):
    t = school.tenant
    for _ in range(n):
        room_number = factory_sequence()
        college = CollegeFactory(tenant=t)
        cls = SchoolClassFactory(tenant=t, major=MajorFactory(tenant=t, college=school.college))
        MajorFactory(tenant=t, college=college)
        building = BuildingFactory(tenant=t)
        RoomFactory(tenant=t, floor=FloorFactory(tenant=t, building=building), number=room_number)
        RoomFactory(tenant=t, floor=school.floor, number=room_number)
        person = PersonFactory(tenant=t, school_class=school.class_a, room=school.room)
        PersonFactory(tenant=t, school_class=cls)
        org = OrganisationFactory(tenant=t, parent=school.org)
        DepartmentFactory(tenant=t, organisation=org)
        MembershipFactory(tenant=t, person=person, organisation=school.org, department=school.dept,
                          position=school.officer_post, term=school.term)


@pytest.mark.parametrize("name,kwargs", [
    ("orgs:college_list", lambda s: {}),
    ("orgs:college_detail", lambda s: {"college_id": s.college.pk}),
    ("orgs:class_list", lambda s: {}),
    ("orgs:class_detail", lambda s: {"schoolclass_id": s.class_a.pk}),
    ("orgs:building_list", lambda s: {}),
    ("orgs:building_detail", lambda s: {"building_id": s.building.pk}),
    ("orgs:room_detail", lambda s: {"room_id": s.room.pk}),
    ("orgs:organisation_list", lambda s: {}),
    ("orgs:organisation_detail", lambda s: {"organisation_id": s.org.pk}),
    ("orgs:department_detail", lambda s: {"department_id": s.dept.pk}),
])
def test_structure_pages_run_a_constant_number_of_queries(client, school, name, kwargs):
    url = reverse(name, kwargs=kwargs(school))
    client.force_login(school.admin)
    _add_structure(school, 3)
    few = _queries(client, url)
    _add_structure(school, 6)
    assert _queries(client, url) == few


def test_policy_and_tenant_lists_run_a_constant_number_of_queries(client, school):
    def add_changes(n):
        for i in range(n):
            PolicyValue.objects.create(tenant=school.tenant, key="members.import_max_mb", value=20 + i % 3,
                                       effective_from=dt.date(2026, 1 + i % 12, 1), changed_by=school.admin)
            TenantFactory()

    client.force_login(school.admin)
    add_changes(3)
    few = _queries(client, reverse("orgs:policy_list"))
    add_changes(6)
    assert _queries(client, reverse("orgs:policy_list")) == few
    client.force_login(school.platform)
    few = _queries(client, reverse("orgs:tenant_list"))
    add_changes(6)
    assert _queries(client, reverse("orgs:tenant_list")) == few


# --- policies (OR-6) ---


def test_the_settings_page_lists_each_policy_with_default_source_and_value(client, school):
    client.force_login(school.admin)
    response = client.get(reverse("orgs:policy_list"))
    html = response.content.decode()
    assert "导入文件大小上限" in html and "批量导入：上传的 Excel/CSV 文件默认不超过 20 MB。" in html
    assert "SPEC" not in html  # the source as users know it, never our requirement ids
    row = next(r for r in response.context["table"] if r["policy"].key == "members.import_max_mb")
    assert row["value"] == 20 and row["is_default"]


def test_a_policy_change_is_a_new_row_from_the_next_period_and_is_shown_as_pending(client, school):
    client.force_login(school.admin)
    url = reverse("orgs:policy_change", kwargs={"key": "members.import_max_mb"})
    page = client.get(url)
    next_month = page.context["entry"]["next_effective_from"]
    assert next_month.day == 1 and next_month > dt.date.today() - dt.timedelta(days=1)
    assert next_month.strftime("%Y-%m-%d") in page.content.decode()

    response = client.post(url, {"value": "22", "note": "提前一小时"})
    assert response.status_code == 302 and response["Location"] == reverse("orgs:policy_list")
    with tenant_scope(school.tenant):
        change = PolicyValue.objects.get(tenant=school.tenant, key="members.import_max_mb")
    assert (change.value, change.effective_from, change.changed_by, change.note) == (
        22, next_month, school.admin, "提前一小时")

    listing = client.get(reverse("orgs:policy_list"))
    row = next(r for r in listing.context["table"] if r["policy"].key == "members.import_max_mb")
    assert row["value"] == 20 and row["pending"] == change  # still the old value today
    html = listing.content.decode()
    assert "已保存" in html and "20 → 22" in html
    with tenant_scope(school.other.tenant):
        assert not PolicyValue.objects.exists()  # the other school is untouched


@pytest.mark.parametrize(("value", "message"), [("abc", "“abc”不是有效的取值。"), ("201", "不能大于 200。"),
                                                ("0", "不能小于 1。")])
def test_a_bad_policy_value_is_refused_in_chinese_and_nothing_is_saved(client, school, value, message):
    client.force_login(school.admin)
    response = client.post(reverse("orgs:policy_change", kwargs={"key": "members.import_max_mb"}), {"value": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not PolicyValue.objects.exists()


def test_an_unknown_policy_key_is_a_404(client, school):
    client.force_login(school.admin)
    assert client.get(reverse("orgs:policy_change", kwargs={"key": "no.such_policy"})).status_code == 404


def test_only_the_tenant_admin_may_change_a_policy(client, school):
    client.force_login(school.office)
    response = client.post(reverse("orgs:policy_change", kwargs={"key": "members.import_max_mb"}), {"value": "22"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not PolicyValue.objects.exists()


# --- the platform ---


def test_the_platform_admin_lists_schools_with_their_modules(client, school):
    client.force_login(school.platform)
    response = client.get(reverse("orgs:tenant_list"))
    html = response.content.decode()
    assert school.tenant.name in html and school.other.tenant.name in html
    assert "心理健康四级网络" in html


def test_the_platform_admin_creates_a_school_with_modules(client, school):
    client.force_login(school.platform)
    response = client.post(reverse("orgs:tenant_create"), {"slug": "xyz", "name": "新大学", "modules": ["dormlink"]})
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="xyz")
    assert (tenant.name, tenant.modules, tenant.is_active) == ("新大学", ["dormlink"], True)


def test_a_bad_or_taken_slug_is_refused_in_chinese(client, school):
    client.force_login(school.platform)
    bad = client.post(reverse("orgs:tenant_create"), {"slug": "Bad Slug", "name": "新大学"})
    assert "小写字母开头" in bad.content.decode()
    taken = client.post(reverse("orgs:tenant_create"), {"slug": school.tenant.slug, "name": "新大学"})
    assert taken.status_code == 200 and taken.context["form"].errors
    assert Tenant.objects.count() == 2


def test_the_platform_admin_edits_name_modules_and_switches_a_school_off(client, school):
    client.force_login(school.platform)
    url = reverse("orgs:tenant_edit", kwargs={"tenant_id": school.tenant.pk})
    page = client.get(url)
    assert page.context["form"].initial["modules"] == school.tenant.modules
    assert page.context["tenant"] is None  # the platform admin is in no school, even on a school's page
    response = client.post(url, {"name": "改名大学", "modules": ["alliance", "union"]})
    assert response.status_code == 302
    school.tenant.refresh_from_db()
    assert (school.tenant.name, school.tenant.modules, school.tenant.is_active) == (
        "改名大学", ["alliance", "union"], False)


def test_a_tenant_user_cannot_post_to_the_platform_pages(client, school):
    client.force_login(school.admin)
    response = client.post(reverse("orgs:tenant_create"), {"slug": "evil", "name": "x"})
    assert response.status_code == 404
    assert not Tenant.objects.filter(slug="evil").exists()
