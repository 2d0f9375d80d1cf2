"""Login throttling (django-axes) on the site's and the admin's login, the unlock path, and numbers that
another school's usernames must not shadow."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from members.models import User
from members.services import account_invite, username_check_not_number
from members.tests.factories import PersonFactory, UserFactory
from members.tests.school import PASSWORD, school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope

HOME, ATTACKER, CAMPUS = "10.0.0.1", "203.0.113.9", "10.8.0.1"


def login(client, username, password=PASSWORD, tenant=None, address=HOME):
    data = {"username": username, "password": password}
    if tenant is not None:
        data["tenant"] = tenant.pk
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def admin_login(client, username, password=PASSWORD, address=HOME):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def hammer(client, username, times=30, address=ATTACKER, via=login):
    for _ in range(times):
        response = via(client, username, "wrong-password", address=address)
        assert response.status_code in (200, 429)
    return response


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_a_chinese_page(client, school):
    last = hammer(client, school.admin.username)
    assert last.status_code == 429
    refused = login(client, school.admin.username, address=ATTACKER)
    assert refused.status_code == 429 and not refused.wsgi_request.user.is_authenticated
    html = refused.content.decode()
    assert "登录已暂停" in html and "15 分钟后再试" in html and "本校管理员" in html
    assert school.admin.username not in html  # the page does not confirm which account the name reached
    # The lock is the account's: from another address too.
    assert login(client, school.admin.username, address=HOME).status_code == 429


def test_the_lock_starts_at_the_limit_not_before(client, school, settings):
    hammer(client, school.admin.username, times=settings.AXES_FAILURE_LIMIT - 1)
    assert login(client, school.admin.username, address=ATTACKER).status_code == 302


def test_another_account_and_another_address_are_unaffected(client, school):
    hammer(client, school.admin.username)
    # Another account from the attacker's own address (a campus network shares addresses) ...
    assert login(client, school.officer.username, address=ATTACKER).status_code == 302
    client.logout()
    # ... and from another address.
    assert login(client, school.office.username, address=HOME).status_code == 302


def test_the_number_and_the_username_count_against_one_account(client, school, settings):
    half = settings.AXES_FAILURE_LIMIT // 2
    hammer(client, school.officer.username, times=half)
    hammer(client, school.officer.person.number, times=settings.AXES_FAILURE_LIMIT - half)
    assert login(client, school.officer.username, address=HOME).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {school.officer.username}


def test_an_address_that_fails_on_many_accounts_is_locked_at_its_own_higher_limit(client, school, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3 * settings.AXES_FAILURE_LIMIT
    names = [f"guess{i}" for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
    for i, name in enumerate(names):
        response = login(client, name, "wrong-password", address=ATTACKER)
        assert response.status_code == (429 if i == len(names) - 1 else 200), i
    # Spraying: the address is locked even for a real account with its right password ...
    assert login(client, school.admin.username, address=ATTACKER).status_code == 429
    # ... while the same account logs in from elsewhere.
    assert login(client, school.admin.username, address=HOME).status_code == 302


def test_the_admin_login_is_throttled_too(client, school):
    hammer(client, school.admin.username, via=admin_login)
    refused = admin_login(client, school.admin.username, address=ATTACKER)
    assert refused.status_code == 429 and "登录已暂停" in refused.content.decode()
    assert login(client, school.admin.username, address=HOME).status_code == 429  # one account, both logins


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, school, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"x{_}", "password": "nope"}, REMOTE_ADDR="172.18.0.2",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


# --- the unlock path ---


def test_the_tenant_admin_unlocks_an_account_on_its_person_page(client, school):
    hammer(client, school.officer.username)
    assert login(client, school.officer.username, address=HOME).status_code == 429
    client.force_login(school.admin)
    page = client.get(reverse("members:person_detail", kwargs={"person_id": school.officer.person_id}))
    assert "解除登录锁定" in page.content.decode()
    response = client.post(reverse("members:person_unlock_login", kwargs={"person_id": school.officer.person_id}))
    assert response.status_code == 302
    assert "已暂停登录" not in client.get(response["Location"]).content.decode()
    client.logout()
    assert login(client, school.officer.username, address=HOME).status_code == 302


@pytest.mark.parametrize("who", ["other_admin", "office", "platform"])
def test_only_the_schools_own_admin_may_unlock(client, school, who):
    hammer(client, school.officer.username)
    client.force_login(getattr(school, who))
    response = client.post(reverse("members:person_unlock_login", kwargs={"person_id": school.officer.person_id}))
    assert response.status_code in (403, 404)
    assert AccessAttempt.objects.filter(username=school.officer.username).exists()


def test_the_command_line_unlock(client, school):
    hammer(client, school.officer.person.number)  # typed as a number: the lock is on the username
    call_command("axes_reset_username", school.officer.username)
    assert login(client, school.officer.username, address=HOME).status_code == 302


# --- one school's usernames must not shadow another school's numbers ---


def test_another_schools_username_spelling_a_number_does_not_block_that_students_login(client, school):
    """The reported case: school B's admin creates the username 20250501001, and school A's student with
    that number, school chosen, could no longer log in. Now the username is refused, and even an existing
    one (made before this rule) loses to the number within the chosen school."""
    tenant_a, tenant_b = school.tenant, school.other.tenant
    with tenant_scope(tenant_a):
        student = UserFactory(tenant=tenant_a, person=PersonFactory(tenant=tenant_a, number="20250501001"))
    User.objects.filter(pk=school.other.admin.pk).update(is_staff=True)
    client.force_login(school.other.admin)
    refused = client.post("/admin/members/user/add/", {
        "username": "20250501001", "usable_password": "true", "password1": "Campus-pass-123",
        "password2": "Campus-pass-123",
    })
    assert refused.status_code == 200 and "用户名不能是纯数字" in refused.content.decode()
    assert not User.objects.filter(username="20250501001").exists()
    client.logout()

    User.objects.create_user("20250501001", password="Campus-pass-123", tenant=tenant_b)  # an older account
    response = login(client, "20250501001", tenant=tenant_a)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == student


@pytest.mark.parametrize("username", ["20250501001", "12345", "２０２５"])
def test_all_digit_usernames_are_refused(db, username):
    with pytest.raises(Exception) as error:
        username_check_not_number(username)
    assert "用户名不能是纯数字" in str(error.value)


def test_a_username_equal_to_a_number_with_letters_is_refused_everywhere(school):
    with tenant_scope(school.tenant):
        PersonFactory(tenant=school.tenant, number="S2025001")
    with pytest.raises(Exception, match="学号"):
        username_check_not_number("S2025001")
    with pytest.raises(Exception, match="学号"):
        account_invite(tenant=school.other.tenant, username="S2025001", full_name="王", email="w@example.edu.cn",
                       role="tenant_admin", start=dt.date(2026, 9, 1), site_url="http://testserver/")
    username_check_not_number("zhang_s2025001")  # letters and digits that are nobody's number: fine


def test_renaming_an_account_to_a_number_is_refused_in_the_admin(client, school):
    User.objects.filter(pk=school.admin.pk).update(is_staff=True)
    client.force_login(school.admin)
    url = f"/admin/members/user/{school.officer.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login",
                                                                                "date_joined")}
    data.update({"username": "2025000001", "person": school.officer.person_id, "is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 200 and "用户名不能是纯数字" in response.content.decode()
