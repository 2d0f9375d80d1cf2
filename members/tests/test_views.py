"""Log in and out, the home page of each role, and people (OR-4): who sees whom, and which fields."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import PoliticalStatus
from members.tests.factories import PersonFactory, UserFactory
from members.tests.school import PASSWORD, school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import SchoolClassFactory
from tests.personas import SCHOOL_ROLES, personas, statuses

# --- log in, log out ---


def login(client, username, password=PASSWORD, tenant=None):
    data = {"username": username, "password": password}
    if tenant is not None:
        data["tenant"] = tenant.pk
    return client.post(reverse("login"), data)


def test_the_login_page_asks_for_username_or_student_number(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "用户名或学号" in html and "密码" in html and "学校" in html


def test_login_by_username(client, school):
    response = login(client, school.admin.username)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == school.admin


def test_login_by_student_number_without_a_school_when_it_is_unique(client, school):
    number = school.officer.person.number
    response = login(client, number)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == school.officer


def test_a_number_in_two_schools_needs_the_school(client, school):
    number = school.officer.person.number
    with tenant_scope(school.other.tenant):
        twin = UserFactory(tenant=school.other.tenant, person=PersonFactory(tenant=school.other.tenant,
                                                                            number=number))
    response = login(client, number)
    assert response.status_code == 200
    assert "该学号在多所学校都存在，请选择学校后再登录。" in response.content.decode()
    response = login(client, number, tenant=school.other.tenant)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == twin


def test_a_wrong_password_is_refused_in_chinese(client, school):
    response = login(client, school.admin.username, password="wrong")
    assert response.status_code == 200
    assert "用户名（学号）或密码不正确。" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    response = login(client, school.officer.person.number, password="wrong")
    assert "用户名（学号）或密码不正确。" in response.content.decode()


def test_the_school_list_of_the_login_form_holds_only_active_schools(client, school):
    school.other.tenant.is_active = False
    school.other.tenant.save()
    choices = [str(c[1]) for c in client.get(reverse("login")).context["form"].fields["tenant"].choices]
    assert school.tenant.name in choices and school.other.tenant.name not in choices


def test_logout_is_a_post_and_returns_to_the_login_page(client, school):
    client.force_login(school.admin)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_footer_switches_the_language(client, school):
    client.force_login(school.admin)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html and 'value="en"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.LANGUAGE_CODE == "en"


# --- home ---


def test_home_shows_each_role_with_its_scope_and_links(client, school):
    client.force_login(school.counsellor)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "辅导员" in html and school.class_a.name in html
    assert reverse("orgs:class_detail", kwargs={"schoolclass_id": school.class_a.pk}) in html
    assert f"{reverse('members:person_list')}?college={school.class_a.college_id}&amp;school_class=" in html
    [card] = response.context["cards"]
    assert card["assignment"].role == "counsellor"


def test_home_of_the_tenant_admin_links_to_everything_they_manage(client, school):
    client.force_login(school.admin)
    html = client.get(reverse("home")).content.decode()
    assert "学校管理员（学生处）" in html
    for name in ("orgs:college_list", "orgs:building_list", "orgs:organisation_list", "members:person_list",
                 "orgs:policy_list"):
        assert reverse(name) in html


def test_home_of_a_department_head_links_to_the_department_and_its_organisation(client, school):
    client.force_login(school.head)
    [card] = client.get(reverse("home")).context["cards"]
    assert [link["url"] for link in card["links"]] == [
        reverse("orgs:department_detail", kwargs={"department_id": school.dept.pk}),
        reverse("orgs:organisation_detail", kwargs={"organisation_id": school.org.pk}),
        reverse("members:person_list"),
        reverse("attendance:meeting_list"),
        reverse("attendance:task_list"),
        reverse("scoring:organisation_list"),
        reverse("scoring:award_home"),
    ]


def test_home_of_a_user_without_a_role_shows_their_own_info_and_memberships(client, school):
    client.force_login(school.officer)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.context["cards"] == []
    assert "我的信息" in html and school.officer.person.name in html
    assert school.org.name in html and school.officer_post.name in html
    assert reverse("members:person_detail", kwargs={"person_id": school.officer.person_id}) in html


def test_home_shows_the_current_term_and_teaching_week(client, school):
    client.force_login(school.officer)
    response = client.get(reverse("home"))
    assert response.context["term"] == school.term and response.context["week"] == 3
    assert "第 3 教学周" in response.content.decode()


def test_home_of_the_platform_admin_shows_the_school_management(client, school):
    client.force_login(school.platform)
    html = client.get(reverse("home")).content.decode()
    assert reverse("orgs:tenant_list") in html and reverse("orgs:tenant_create") in html
    assert "我的信息" not in html


def test_home_needs_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_home_runs_a_constant_number_of_queries(client, school):
    from members.tests.factories import RoleAssignmentFactory

    client.force_login(school.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for role, scope in [("counsellor", {"school_class": school.class_b}), ("office", {"organisation": school.org}),
                        ("department_head", {"department": school.dept}), ("room_informant", {"room": school.room})]:
        RoleAssignmentFactory(tenant=school.tenant, user=school.admin, role=role, **scope)
    with CaptureQueriesContext(connection) as more:
        response = client.get(reverse("home"))
    assert len(response.context["cards"]) == 5
    assert len(more.captured_queries) == len(few.captured_queries)


# --- people list ---

PEOPLE_LIST = {"anonymous": 302, "admin": 200, "counsellor": 200, "office": 200, "head": 200, "logistics": 403,
               "officer": 403, "platform": 403, "other_admin": 200}


def test_who_may_list_people(client, school):
    assert statuses(client, reverse("members:person_list"), personas(school, names=SCHOOL_ROLES)) == PEOPLE_LIST


def names(response):
    return {p.name for p in response.context["page"]}


def test_the_people_list_holds_only_people_in_the_users_scope(client, school):
    url = reverse("members:person_list")
    client.force_login(school.counsellor)
    assert names(client.get(url)) == {school.student_x.name, school.counsellor.person.name}
    client.force_login(school.office)
    assert names(client.get(url)) == {school.student_x.name, school.officer.person.name, school.head.person.name,
                                      school.office.person.name}
    client.force_login(school.admin)
    listed = {p.pk for p in client.get(url).context["page"]}
    assert school.student_y.pk in listed and school.other.student_x.pk not in listed


def test_the_people_list_searches_by_name_or_number_prefix_and_filters(client, school):
    url = reverse("members:person_list")
    client.force_login(school.admin)
    assert names(client.get(url, {"q": "晓雨"})) == {school.student_x.name}
    assert names(client.get(url, {"q": school.student_y.number[:-1]})) >= {school.student_y.name}
    assert names(client.get(url, {"q": school.student_y.number[2:]})) == set()  # a prefix, not anywhere
    assert names(client.get(url, {"college": school.college.pk, "school_class": school.class_b.pk})) == {
        school.student_y.name}
    response = client.get(url, {"college": school.college.pk})
    class_choices = {c[0].value for c in response.context["form"].fields["school_class"].choices if c[0]}
    assert class_choices == {school.class_a.pk, school.class_b.pk}


def test_the_people_list_paginates(client, school):
    cls = SchoolClassFactory(tenant=school.tenant)
    for _ in range(55):
        PersonFactory(tenant=school.tenant, school_class=cls)
    client.force_login(school.admin)
    url = reverse("members:person_list")
    first = client.get(url, {"school_class": cls.pk})
    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"].object_list) == 50
    second = client.get(url, {"school_class": cls.pk, "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert f"?school_class={cls.pk}&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("persona", ["admin", "office", "counsellor"])
def test_the_people_list_runs_a_constant_number_of_queries(client, school, persona):
    def add(n):
        for _ in range(n):
            PersonFactory(tenant=school.tenant, school_class=school.class_a, room=school.room)

    client.force_login(getattr(school, persona))
    url = reverse("members:person_list")
    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"college": school.college.pk}).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as more:
        client.get(url, {"college": school.college.pk})
    assert len(more.captured_queries) == len(few.captured_queries)


# --- a person's page ---


def person_url(person):
    return reverse("members:person_detail", kwargs={"person_id": person.pk})


def test_who_may_open_a_person(client, school):
    # x is in class_a (the counsellor's), in dept (the head's) of org (the office's)
    assert statuses(client, person_url(school.student_x), personas(school, names=SCHOOL_ROLES)) == {
        "anonymous": 302, "admin": 200, "counsellor": 200, "office": 200, "head": 200, "logistics": 404,
        "officer": 404, "platform": 404, "other_admin": 404}
    # y is in class_b and no organisation: a person one may not see is missing
    assert statuses(client, person_url(school.student_y), personas(school, names=SCHOOL_ROLES)) == {
        "anonymous": 302, "admin": 200, "counsellor": 404, "office": 404, "head": 404, "logistics": 404,
        "officer": 404, "platform": 404, "other_admin": 404}


def test_everyone_may_open_their_own_page(client, school):
    client.force_login(school.officer)
    assert client.get(person_url(school.officer.person)).status_code == 200


def test_a_missing_person_is_a_404(client, school):
    client.force_login(school.admin)
    assert client.get(reverse("members:person_detail", kwargs={"person_id": 999_999})).status_code == 404


def test_the_person_page_shows_the_record_and_membership_history(client, school):
    client.force_login(school.office)
    html = client.get(person_url(school.student_x)).content.decode()
    x = school.student_x
    for text in (x.number, x.name, "女", x.college.name, x.major.name, x.school_class.name, str(x.enrolment_year),
                 str(x.room), school.org.name, school.dept.name, school.officer_post.name, "在任"):
        assert text in html


SENSITIVE = ("政治面貌", str(PoliticalStatus.PARTY_MEMBER.label), "违纪处分", "夜不归宿", "学业情况", "12%")


@pytest.mark.parametrize("persona", ["admin", "counsellor"])
def test_political_status_and_discipline_are_shown_to_roles_that_need_them(client, school, persona):
    client.force_login(getattr(school, persona))
    html = client.get(person_url(school.student_x)).content.decode()
    for text in SENSITIVE:
        assert text in html


@pytest.mark.parametrize("persona", ["office", "head"])
def test_political_status_and_discipline_are_hidden_from_roles_that_reach_the_person_otherwise(
    client, school, persona
):
    client.force_login(getattr(school, persona))
    response = client.get(person_url(school.student_x))
    assert response.status_code == 200
    html = response.content.decode()
    for text in SENSITIVE:
        assert text not in html
    assert response.context["standings"] is None and response.context["discipline"] is None


def test_sensitive_values_never_appear_in_the_title_or_url(client, school):
    client.force_login(school.admin)
    html = client.get(person_url(school.student_x)).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert str(PoliticalStatus.PARTY_MEMBER.label) not in title and "夜不归宿" not in title
    assert "political" not in person_url(school.student_x)


def test_a_user_without_a_role_gets_no_links_to_pages_they_cannot_open(client, school):
    client.force_login(school.officer)
    html = client.get(person_url(school.officer.person)).content.decode()
    assert school.org.name in html
    for url in (reverse("orgs:organisation_detail", kwargs={"organisation_id": school.org.pk}),
                reverse("members:person_list")):
        assert f'href="{url}"' not in html
