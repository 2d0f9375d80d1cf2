"""A new school's first administrator: invited by the platform admin, activated through a one-time link that
is mailed to the invitee and never shown to the platform admin; the platform admin's visits are logged."""

import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from members.models import Role, RoleAssignment, User
from members.tests.factories import RoleAssignmentFactory, UserFactory
from orgs.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin():
    return UserFactory(tenant=None, person=None, is_platform_admin=True, is_staff=True, username="platform")


@pytest.fixture
def school():
    return TenantFactory(slug="newschool", name="新学校")


def _invite(client, school, **data):
    return client.post(f"/platform/tenants/{school.pk}/accounts/new/", {
        "username": "new_admin", "full_name": "王老师", "email": "wang.laoshi@example.edu.cn",
        "role": Role.TENANT_ADMIN, **data,
    })


def _link(message):
    return re.search(r"http://testserver(/activate/\S+/)", message.body).group(1)


def test_the_platform_admin_invites_a_school_admin_who_sets_a_password_once(client, platform_admin, school):
    client.force_login(platform_admin)
    response = _invite(client, school)
    assert response.status_code == 302
    user = User.objects.get(username="new_admin")
    assert user.tenant == school and user.is_staff and not user.has_usable_password()
    assert user.email == "wang.laoshi@example.edu.cn"
    with scopes_disabled():
        assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [Role.TENANT_ADMIN]
    [message] = mail.outbox
    assert message.to == ["wang.laoshi@example.edu.cn"] and "新学校" in message.body
    link = _link(message)
    assert client.get(f"/platform/tenants/{school.pk}/").content.decode().count("待激活") == 1

    client.logout()
    form_page = client.get(link, follow=True)
    assert "为账号 new_admin 设置密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Xq9-campus-pass", "new_password2": "Xq9-campus-pass"})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert client.post("/login/", {"username": "new_admin", "password": "Xq9-campus-pass"}).status_code == 302
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


def test_the_platform_admin_never_sees_the_activation_link(client, platform_admin, school):
    """Otherwise the platform admin could open it, set a password and enter the school as its admin."""
    client.force_login(platform_admin)
    shown = client.post(f"/platform/tenants/{school.pk}/accounts/new/", {
        "username": "new_admin", "full_name": "王老师", "email": "wang.laoshi@example.edu.cn",
        "role": Role.TENANT_ADMIN}, follow=True)
    link = _link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    pages = [shown] + [client.get(url) for url in (
        f"/platform/tenants/{school.pk}/", f"/platform/tenants/{school.pk}/accounts/new/", "/platform/tenants/",
        f"/admin/orgs/tenant/{school.pk}/change/",
    )]
    for page in pages:
        html = page.content.decode()
        assert "/activate/" not in html and token not in html
    html = shown.content.decode()
    assert "激活链接已发送到 w***@example.edu.cn" in html and "wang.laoshi" not in html


def test_the_invitation_needs_the_invitees_email_and_a_failed_mail_creates_nothing(client, platform_admin, school,
                                                                                  settings):
    client.force_login(platform_admin)
    response = _invite(client, school, email="")
    assert response.status_code == 200 and not User.objects.filter(username="new_admin").exists()
    settings.EMAIL_BACKEND = "members.tests.test_accounts.FailingBackend"
    response = _invite(client, school)
    assert "激活邮件发送失败" in response.content.decode()
    assert not User.objects.filter(username="new_admin").exists()


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


def test_the_platform_admins_reads_of_a_school_are_logged(client, platform_admin, school):
    from orgs.models import PlatformAccess

    client.force_login(platform_admin)
    client.get(f"/platform/tenants/{school.pk}/")
    client.get(f"/platform/tenants/{school.pk}/accounts/new/")
    client.get(f"/admin/orgs/tenant/{school.pk}/change/")
    client.get("/platform/tenants/")  # the list of schools is no one school's page
    client.get("/platform/tenants/999999/")  # a 404 writes nothing
    rows = list(PlatformAccess.objects.order_by("at", "pk").values_list("tenant_id", "user_id", "page", "method"))
    assert rows == [
        (school.pk, platform_admin.pk, "orgs:tenant_edit", "GET"),
        (school.pk, platform_admin.pk, "members:account_invite", "GET"),
        (school.pk, platform_admin.pk, "admin:orgs_tenant_change", "GET"),
    ]


def test_a_schools_admin_sees_the_platform_admins_visits_to_their_school_only(client, platform_admin, school):
    from orgs.models import PlatformAccess

    other = TenantFactory(slug="otherschool")
    client.force_login(platform_admin)
    client.get(f"/platform/tenants/{school.pk}/")
    client.get(f"/platform/tenants/{other.pk}/")
    role = RoleAssignmentFactory(tenant=school)
    User.objects.filter(pk=role.user_id).update(is_staff=True)
    client.force_login(role.user)
    page = client.get("/admin/orgs/platformaccess/")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == list(PlatformAccess.objects.filter(tenant=school))
    assert PlatformAccess.objects.count() == 2


@pytest.mark.parametrize("object_id", ["²", "99999999999999999999", "x"])
def test_odd_admin_ids_of_a_school_are_a_404_and_log_nothing(client, platform_admin, object_id):
    from orgs.models import PlatformAccess

    client.force_login(platform_admin)
    assert client.get(f"/admin/orgs/tenant/{object_id}/change/").status_code == 404
    assert not PlatformAccess.objects.exists()


def test_a_redirect_to_the_login_page_is_not_a_read(client, school):
    from orgs.models import PlatformAccess

    not_staff = UserFactory(tenant=None, person=None, is_platform_admin=True, is_staff=False, username="p2")
    client.force_login(not_staff)
    assert client.get(f"/admin/orgs/tenant/{school.pk}/change/").status_code == 302
    assert not PlatformAccess.objects.exists()
