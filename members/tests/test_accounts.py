"""A new school's first administrator: invited by the platform admin, activated through a one-time link."""

import re

import pytest
from django_scopes import scopes_disabled

from members.models import Role, RoleAssignment, User
from members.tests.factories import RoleAssignmentFactory, UserFactory
from orgs.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin():
    return UserFactory(tenant=None, person=None, is_platform_admin=True, username="platform")


@pytest.fixture
def school():
    return TenantFactory(slug="newschool", name="新学校")


def _invite(client, school, **data):
    return client.post(f"/platform/tenants/{school.pk}/accounts/new/", {
        "username": "new_admin", "full_name": "王老师", "role": Role.TENANT_ADMIN, **data,
    })


def _link(response):
    return re.search(r'value="http://testserver(/activate/[^"]+)"', response.content.decode()).group(1)


def test_the_platform_admin_invites_a_school_admin_who_sets_a_password_once(client, platform_admin, school):
    client.force_login(platform_admin)
    response = _invite(client, school)
    assert response.status_code == 200
    user = User.objects.get(username="new_admin")
    assert user.tenant == school and user.is_staff and not user.has_usable_password()
    with scopes_disabled():
        assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [Role.TENANT_ADMIN]
    link = _link(response)
    assert client.get(f"/platform/tenants/{school.pk}/").content.decode().count("待激活") == 1

    client.logout()
    form_page = client.get(link, follow=True)
    assert "为账号 new_admin 设置密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Xq9-campus-pass", "new_password2": "Xq9-campus-pass"})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert client.login(username="new_admin", password="Xq9-campus-pass")
    assert client.get("/settings/policies/").status_code == 200  # a working tenant admin of the new school

    client.logout()
    spent = client.get(link, follow=True)
    assert "此激活链接无效或已使用过" in spent.content.decode()


def test_a_taken_username_is_refused_and_nothing_is_created(client, platform_admin, school):
    UserFactory(username="new_admin")
    client.force_login(platform_admin)
    response = _invite(client, school)
    assert "已被使用" in response.content.decode()
    assert User.objects.filter(username="new_admin").count() == 1
    with scopes_disabled():
        assert not RoleAssignment.objects.filter(tenant=school).exists()


def test_only_school_wide_roles_can_be_invited(client, platform_admin, school):
    client.force_login(platform_admin)
    response = _invite(client, school, role=Role.OFFICE)
    assert response.status_code == 200 and not User.objects.filter(username="new_admin").exists()


@pytest.mark.parametrize("who", ["anonymous", "tenant_admin_of_that_school", "tenant_admin_elsewhere"])
def test_inviting_is_the_platform_admins_alone(client, school, who):
    if who != "anonymous":
        role = RoleAssignmentFactory(tenant=school if who == "tenant_admin_of_that_school" else TenantFactory())
        client.force_login(role.user)
    assert client.get(f"/platform/tenants/{school.pk}/accounts/new/").status_code == 404
    assert _invite(client, school).status_code == 404
    assert not User.objects.filter(username="new_admin").exists()


def test_a_forged_link_is_refused(client, school):
    user = UserFactory(tenant=school)
    page = client.get(f"/activate/{user.pk}/forged-token/", follow=True)
    assert "此激活链接无效或已使用过" in page.content.decode()
