"""The Django admin shows a tenant admin only their own school (issue 2, item 8)."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Person, Role, RoleAssignment, User
from members.tests.factories import DisciplinaryRecordFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.models import College, Department, Organisation, Position, Tenant
from orgs.tests.factories import CollegeFactory, TenantFactory

pytestmark = pytest.mark.django_db


def _tenant_admin(tenant, **user_kwargs):
    role = RoleAssignmentFactory(
        tenant=tenant, role=Role.TENANT_ADMIN, user__is_staff=True, **{f"user__{k}": v for k, v in user_kwargs.items()}
    )
    return role.user


@pytest.fixture
def schools():
    a, b = TenantFactory(slug="school_a", name="甲大学"), TenantFactory(slug="school_b", name="乙大学")
    admin_a, admin_b = _tenant_admin(a), _tenant_admin(b)
    return {
        "a": a, "b": b, "admin_a": admin_a, "admin_b": admin_b,
        "college_a": CollegeFactory(tenant=a, code="A01", name="甲学院"),
        "college_b": CollegeFactory(tenant=b, code="B01", name="乙学院"),
        "person_a": PersonFactory(tenant=a, name="甲同学"),
        "person_b": PersonFactory(tenant=b, name="乙同学"),
        "user_a": UserFactory(tenant=a),
        "user_b": UserFactory(tenant=b),
    }


def _app_models(response):
    return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}


def test_changelists_show_only_the_admins_school(client, schools):
    client.force_login(schools["admin_a"])
    people = client.get(reverse("admin:members_person_changelist"))
    assert people.status_code == 200
    assert "甲同学" in people.text and "乙同学" not in people.text
    colleges = client.get(reverse("admin:orgs_college_changelist"))
    assert "甲学院" in colleges.text and "乙学院" not in colleges.text
    users = client.get(reverse("admin:members_user_changelist"))
    assert schools["user_a"].username in users.text and schools["user_b"].username not in users.text


def test_the_index_lists_the_schools_models_but_not_tenants(client, schools):
    client.force_login(schools["admin_a"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    models = _app_models(response)
    assert {"College", "Person", "RoleAssignment", "Membership", "User", "PolicyValue"} <= models
    assert "Tenant" not in models and "Group" not in models
    assert client.get(reverse("admin:orgs_tenant_changelist")).status_code == 403


def test_user_choices_on_a_role_assignment_are_the_schools_users(client, schools):
    client.force_login(schools["admin_a"])
    response = client.get(reverse("admin:members_roleassignment_add"))
    assert response.status_code == 200
    choices = set(response.context["adminform"].form.fields["user"].queryset.values_list("pk", flat=True))
    with scopes_disabled():
        assert choices == set(User.objects.filter(tenant=schools["a"]).values_list("pk", flat=True))
    assert schools["user_b"].pk not in choices

    autocomplete = client.get(reverse("admin:autocomplete"), {
        "app_label": "members", "model_name": "roleassignment", "field_name": "user", "term": "user",
    })
    found = {int(row["id"]) for row in autocomplete.json()["results"]}
    assert schools["user_a"].pk in found and schools["user_b"].pk not in found

    posted = client.post(reverse("admin:members_roleassignment_add"), {
        "user": schools["user_b"].pk, "role": Role.CENTRE_STAFF, "start": "2026-09-07",
    })
    assert posted.status_code == 200  # the form again, with an error: another school's user is no choice
    assert "user" in posted.context["adminform"].form.errors
    with scopes_disabled():
        assert not RoleAssignment.objects.filter(user=schools["user_b"]).exists()


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_schools_object_is_a_404_like_a_missing_one(client, schools, view):
    client.force_login(schools["admin_a"])
    for url_name, obj in (("orgs_college", schools["college_b"]), ("members_person", schools["person_b"]),
                          ("members_user", schools["user_b"])):
        assert client.get(reverse(f"admin:{url_name}_{view}", args=[obj.pk])).status_code == 404
        assert client.get(reverse(f"admin:{url_name}_{view}", args=[987654])).status_code == 404
    assert client.get(reverse("admin:orgs_college_change", args=[schools["college_a"].pk])).status_code == 200


def test_another_schools_user_password_is_a_404(client, schools):
    client.force_login(schools["admin_a"])
    url = reverse("admin:auth_user_password_change", args=[schools["user_b"].pk])
    assert client.get(url).status_code == 404


def test_a_new_row_belongs_to_the_admins_school(client, schools):
    client.force_login(schools["admin_a"])
    url = reverse("admin:orgs_college_add")
    assert client.post(url, {"code": "B01", "name": "新学院"}).status_code == 302  # B01 is free in school A
    duplicate = client.post(url, {"code": "A01", "name": "重复"})
    assert duplicate.status_code == 200 and duplicate.context["adminform"].form.errors  # a form error, no 500
    with scopes_disabled():
        created = College.objects.get(name="新学院")
        assert created.tenant_id == schools["a"].pk
        assert College.objects.filter(code="A01").count() == 1


def test_a_new_user_belongs_to_the_admins_school(client, schools):
    client.force_login(schools["admin_a"])
    response = client.post(reverse("admin:members_user_add"), {
        "username": "new_clerk", "usable_password": "false", "person": schools["person_a"].pk,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new_clerk")
    assert user.tenant_id == schools["a"].pk and not user.has_usable_password()
    assert user.person_id == schools["person_a"].pk and not user.is_superuser and not user.is_platform_admin


def test_a_role_with_the_wrong_scope_is_a_form_error(client, schools):
    client.force_login(schools["admin_a"])
    response = client.post(reverse("admin:members_roleassignment_add"), {
        "user": schools["user_a"].pk, "role": Role.COUNSELLOR, "start": "2026-09-07",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()


def test_political_status_is_no_column_or_filter_of_the_people_list(client, schools):
    client.force_login(schools["admin_a"])
    response = client.get(reverse("admin:members_person_changelist"))
    changelist = response.context["cl"]
    assert "political_status" not in changelist.list_display
    assert not any("political_status" in str(spec) for spec in changelist.list_filter)
    assert "政治面貌" not in response.text
    filtered = client.get(reverse("admin:members_person_changelist"), {"political_status__exact": "party_member"})
    assert filtered.status_code == 400  # not an allowed lookup: political status never filters a list by URL


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.CENTRE_STAFF, None])
def test_other_roles_do_not_get_into_the_admin(client, schools, role):
    user = UserFactory(tenant=schools["a"], is_staff=True)  # even a staff flag set by mistake is not enough
    if role is not None:
        RoleAssignmentFactory(tenant=schools["a"], user=user, role=role, college=schools["college_a"]
                              if role == Role.COUNSELLOR else None)
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:members_person_changelist"),
                reverse("admin:orgs_college_change", args=[schools["college_a"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_platform_admin_sees_tenants_and_no_schools_data(client, schools):
    platform = User.objects.create(username="platform_admin", is_platform_admin=True, is_staff=True)
    client.force_login(platform)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    models = _app_models(response)
    assert "Tenant" in models
    assert not models & {"College", "Person", "RoleAssignment", "Membership", "User", "Term", "PolicyValue"}
    tenants = client.get(reverse("admin:orgs_tenant_changelist"))
    assert tenants.status_code == 200 and "甲大学" in tenants.text and "乙大学" in tenants.text
    for url in (reverse("admin:orgs_college_changelist"), reverse("admin:members_person_changelist"),
                reverse("admin:orgs_college_change", args=[schools["college_a"].pk])):
        assert client.get(url).status_code == 403


def test_platform_admin_creates_a_tenant_with_modules(client, schools):
    platform = User.objects.create(username="platform_admin", is_platform_admin=True, is_staff=True)
    client.force_login(platform)
    response = client.post(reverse("admin:orgs_tenant_add"), {
        "slug": "school_c", "name": "丙大学", "modules": ["dormlink", "alliance"], "is_active": "on",
    })
    assert response.status_code == 302
    assert Tenant.objects.get(slug="school_c").modules == ["alliance", "dormlink"]


def test_people_changelist_queries_do_not_grow_with_rows(client, schools, django_assert_max_num_queries):
    client.force_login(schools["admin_a"])
    url = reverse("admin:members_person_changelist")
    client.get(url)
    with scopes_disabled():
        before = Person.objects.filter(tenant=schools["a"]).count()
    PersonFactory.create_batch(15, tenant=schools["a"])
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == before + 15


def test_rows_added_inline_belong_to_the_admins_school(client, schools):
    client.force_login(schools["admin_a"])
    management = {
        f"{prefix}-{key}": value
        for prefix in ("departments", "positions")
        for key, value in (("TOTAL_FORMS", "1"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"),
                           ("MAX_NUM_FORMS", "1000"))
    }
    response = client.post(reverse("admin:orgs_organisation_add"), {
        "name": "朋辈互助联盟", "kind": "alliance", **management,
        "departments-0-name": "办公室", "departments-0-order": "1",
        "positions-0-name": "干事", "positions-0-category": "officer", "positions-0-rank": "90",
    })
    assert response.status_code == 302, response.context and response.context["errors"]
    with scopes_disabled():
        organisation = Organisation.objects.get(name="朋辈互助联盟")
        assert organisation.tenant_id == schools["a"].pk
        assert Department.objects.get(organisation=organisation).tenant_id == schools["a"].pk
        assert Position.objects.get(organisation=organisation).tenant_id == schools["a"].pk


def test_discipline_list_shows_no_level_or_reason(client, schools):
    DisciplinaryRecordFactory(tenant=schools["a"], person=schools["person_a"], reason="夜不归宿")
    client.force_login(schools["admin_a"])
    url = reverse("admin:members_disciplinaryrecord_changelist")
    response = client.get(url)
    assert response.status_code == 200 and "甲同学" in response.text
    assert "夜不归宿" not in response.text and "警告" not in response.text
    assert client.get(url, {"level": "warning"}).status_code == 400
