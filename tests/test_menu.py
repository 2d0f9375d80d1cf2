"""The menu: the entry of the page's section is the current one (aria-current), on every page of the section —
the award, entry and rulebook pages are 考核积分's, not 我的积分's at /scoring/ — and 我的考勤 / 我的积分 are offered
only to someone who can have any: a member (or former member), not a counsellor or a teacher with no membership."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from members.models import Role
from members.tests.factories import RoleAssignmentFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope

NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)
CURRENT = re.compile(r'<a href="[^"]*" aria-current="page">([^<]*)</a>')
ITEM = re.compile(r'<li><a href="([^"]*)"')


def _nav(response) -> str:
    return NAV.search(response.content.decode()).group(0)


def _current(response) -> list[str]:
    return CURRENT.findall(_nav(response))


@pytest.fixture
def everyone(school):
    """The department head, a member of the alliance, who is also its office and the school's admin: every
    entry of the menu."""
    with tenant_scope(school.tenant):
        RoleAssignmentFactory(tenant=school.tenant, user=school.head, role=Role.TENANT_ADMIN)
        RoleAssignmentFactory(tenant=school.tenant, user=school.head, role=Role.OFFICE, organisation=school.org)
    return school.head


def _pages(school):
    org, term = {"organisation_id": school.org.pk}, {"term_id": school.term.pk}
    return [
        ("orgs:college_list", {}, "学院与班级"),
        ("orgs:college_detail", {"college_id": school.college.pk}, "学院与班级"),
        ("orgs:class_list", {}, "学院与班级"),
        ("orgs:class_detail", {"schoolclass_id": school.class_a.pk}, "学院与班级"),
        ("orgs:building_list", {}, "宿舍楼"),
        ("orgs:building_detail", {"building_id": school.building.pk}, "宿舍楼"),
        ("orgs:room_detail", {"room_id": school.room.pk}, "宿舍楼"),
        ("orgs:organisation_list", {}, "学生组织"),
        ("orgs:organisation_detail", org, "学生组织"),
        ("orgs:department_detail", {"department_id": school.dept.pk}, "学生组织"),
        ("members:person_list", {}, "人员"),
        ("members:person_detail", {"person_id": school.student_x.pk}, "人员"),
        ("members:import_home", {}, "导入"),
        ("orgs:policy_list", {}, "政策参数"),
        ("attendance:meeting_list", {}, "会议考勤"),
        ("attendance:meeting_create", {}, "会议考勤"),
        ("attendance:leave_list", {}, "会议考勤"),
        ("attendance:monthly", {}, "会议考勤"),
        ("attendance:task_list", {}, "日常任务"),
        ("attendance:task_create", {}, "日常任务"),
        ("attendance:my_attendance", {}, "我的考勤"),
        ("scoring:organisation_list", {}, "考核积分"),
        ("scoring:organisation_scores", org, "考核积分"),
        ("scoring:sanction_list", org, "考核积分"),
        ("scoring:award_home", {}, "考核积分"),
        ("scoring:award_organisation", org, "考核积分"),
        ("scoring:award_board", {**org, **term}, "考核积分"),
        ("scoring:entries_home", {}, "考核积分"),
        ("scoring:discretionary_list", org, "考核积分"),
        ("scoring:incident_list", org, "考核积分"),
        ("scoring:rulebook_list", {}, "考核积分"),
        ("scoring:rulebook", org, "考核积分"),
        ("scoring:my_score", {}, "我的积分"),
    ]


def test_every_page_highlights_the_entry_of_its_section(client, school, everyone):
    client.force_login(everyone)
    home = client.get(reverse("home"))
    labels = [label for _url, label in zip(ITEM.findall(_nav(home)), re.findall(r">([^<>]+)</a></li>", _nav(home)),
                                            strict=True)]
    assert labels == ["首页", "学院与班级", "宿舍楼", "学生组织", "人员", "导入", "政策参数", "会议考勤", "日常任务",
                      "我的考勤", "考核积分", "我的积分"]
    assert _current(home) == ["首页"]
    for name, kwargs, label in _pages(school):
        response = client.get(reverse(name, kwargs=kwargs or None), follow=True)
        assert response.status_code == 200, name
        assert _current(response) == [label], name


def _offered(client, user) -> set[str]:
    client.force_login(user)
    html = _nav(client.get(reverse("home")))
    return {label for label in ("我的考勤", "我的积分") if f">{label}</a>" in html}


def test_my_attendance_and_my_score_are_offered_to_members_only(client, school):
    assert _offered(client, school.officer) == {"我的考勤", "我的积分"}  # a member without a role
    assert _offered(client, school.head) == {"我的考勤", "我的积分"}
    assert _offered(client, school.counsellor) == set()  # a person, never a member of anything
    assert _offered(client, school.office) == set()  # a role over the organisation, not a member of it
    assert _offered(client, school.admin) == set()
    # the pages still open (and say there is nothing) for someone who types their address
    client.force_login(school.counsellor)
    assert client.get(reverse("attendance:my_attendance")).status_code == 200
    assert client.get(reverse("scoring:my_score")).status_code == 200


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo schools (seed_demo), for the whole module, rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), transaction.atomic():
        call_command("seed_demo", "--quiet", force_known_password=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "offered"), [
    ("hut_officer", {"我的考勤", "我的积分"}),
    ("hut_office", {"我的考勤", "我的积分"}),
    ("hut_counsellor", set()),
    ("hut_teacher", set()),
    ("hut_centre", set()),
    ("jsu_admin", set()),
    ("jsu_student", set()),
    ("jsu_counsellor", set()),
])
def test_the_demo_offers_own_pages_to_its_members_only(client, demo, username, offered):
    from members.models import User

    user = User.objects.get(username=username)
    assert _offered(client, user) == offered
    html = client.get(reverse("home")).content.decode()
    for label, name in (("我的考勤", "attendance:my_attendance"), ("我的积分", "scoring:my_score")):
        assert (f'href="{reverse(name)}"' in html) == (label in offered), (username, label)
