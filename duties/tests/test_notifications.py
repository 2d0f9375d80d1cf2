"""The notification centre (issue 13, item 4): who may open what, opening a notification (marks it read, follows
only a path of this site), marking one or all read, pagination, the header's unread count and its cost, the email
preference, and the email itself (a bouncing backend leaves it pending and retried; it says no more than the
notification)."""

import datetime as dt
import logging
import re
from pathlib import Path
from smtplib import SMTPRecipientsRefused

import pytest
import yaml
from celery.exceptions import Retry
from django.conf import settings as settings_module
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duties import tasks
from duties.models import EmailState, Notification, NotificationSetting
from duties.tests.factories import CREATED, NotificationFactory
from duties.views.notifications import PER_PAGE, local_path
from members.tests.school import school_fixture  # noqa: F401 - the `school` fixture
from orgs.tenancy import tenant_scope
from tests.personas import login_as, statuses

LIST = reverse("duties:notification_list")
SETTINGS = reverse("duties:notification_settings")
READ_ALL = reverse("duties:notifications_read_all")


def _note(school, user, **fields):
    with tenant_scope(school.tenant):
        return NotificationFactory(tenant=school.tenant, user=user, **fields)


def _notes(school, user, n, **fields):
    """``n`` notifications of ``user``, one minute apart (the last is the newest)."""
    return [_note(school, user, created_at=CREATED + dt.timedelta(minutes=i), **fields) for i in range(n)]


def _read_at(notification):
    with tenant_scope(notification.tenant_id):
        return Notification.objects.get(pk=notification.pk).read_at


def _who(school):
    """The owner of the notifications (the office), another user of the same school, the other school's admin,
    the platform admin and the anonymous visitor."""
    return {"owner": school.office, "same_school": school.head, "other_school": school.other_admin,
            "platform": school.platform, "anonymous": None}


# --- permissions ---


def test_the_centre_and_the_settings_are_every_school_users_own(client, school):
    expected = {"owner": 200, "same_school": 200, "other_school": 200, "platform": 403, "anonymous": 302}
    assert statuses(client, LIST, _who(school)) == expected
    assert statuses(client, SETTINGS, _who(school)) == expected
    assert statuses(client, READ_ALL, _who(school), method="post") == {
        "owner": 302, "same_school": 302, "other_school": 302, "platform": 403, "anonymous": 302}
    assert login_as(client, None).get(LIST)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["duties:notification_open", "duties:notification_read"])
def test_a_notification_is_its_owners_only(client, school, name):
    note = _note(school, school.office, url="/")
    url = reverse(name, kwargs={"notification_id": note.pk})
    assert statuses(client, url, _who(school), method="post") == {
        "owner": 302, "same_school": 404, "other_school": 404, "platform": 403, "anonymous": 302}
    missing = reverse(name, kwargs={"notification_id": note.pk + 1000})
    assert login_as(client, school.head).post(missing).status_code == 404
    assert login_as(client, None).post(url)["Location"].startswith(reverse("login"))
    assert login_as(client, school.office).get(url).status_code == 405  # a change is a POST


def test_anothers_notification_stays_unread(client, school):
    note = _note(school, school.office)
    login_as(client, school.head).post(reverse("duties:notification_read", kwargs={"notification_id": note.pk}))
    login_as(client, school.head).post(READ_ALL)
    assert _read_at(note) is None


def test_the_centre_lists_only_the_users_own(client, school):
    _note(school, school.office, title="我的通知")
    _note(school, school.head, title="别人的通知")
    with tenant_scope(school.other.tenant):
        NotificationFactory(tenant=school.other.tenant, user=school.other_admin, title="外校的通知")
    body = login_as(client, school.office).get(LIST).content.decode()
    assert "我的通知" in body and "别人的通知" not in body and "外校的通知" not in body


# --- opening, marking read ---


def test_opening_marks_read_and_goes_to_the_place(client, school):
    note = _note(school, school.office, url="/attendance/tasks/")
    response = login_as(client, school.office).post(
        reverse("duties:notification_open", kwargs={"notification_id": note.pk}))
    assert (response.status_code, response["Location"]) == (302, "/attendance/tasks/")
    assert _read_at(note) is not None


@pytest.mark.parametrize("url", [
    "https://evil.example.com/", "//evil.example.com/tasks/", "/\\evil.example.com", "\\\\evil.example.com",
    "javascript:alert(1)", "http:/evil.example.com", "tasks/3/", "mailto:x@example.com",
])
def test_opening_refuses_anything_but_a_path_of_this_site(client, school, url):
    assert not local_path(url)
    note = _note(school, school.office, url=url)
    response = login_as(client, school.office).post(
        reverse("duties:notification_open", kwargs={"notification_id": note.pk}), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "这条通知的链接不是本站地址，未打开。" in response.content.decode()
    assert _read_at(note) is not None  # opened: read, though not followed


def test_a_notification_without_a_link_has_no_open_button(client, school):
    _note(school, school.office, url="")
    body = login_as(client, school.office).get(LIST).content.decode()
    assert "标为已读" in body and "打开" not in body


def test_mark_one_read_keeps_the_page(client, school):
    first, second = _notes(school, school.office, 2)
    client = login_as(client, school.office)
    url = reverse("duties:notification_read", kwargs={"notification_id": first.pk})
    assert client.post(url, {"page": "2"})["Location"] == f"{LIST}?page=2"
    assert _read_at(first) is not None and _read_at(second) is None
    assert client.post(url, {"page": "x"})["Location"] == LIST  # read again: nothing changes, no error
    assert client.post(url, {"page": "//evil.example.com"})["Location"] == LIST


def test_mark_all_read_marks_the_users_own_only(client, school):
    mine = _notes(school, school.office, 3)
    theirs = _note(school, school.head)
    response = login_as(client, school.office).post(READ_ALL, follow=True)
    assert "已将 3 条通知标为已读。" in response.content.decode()
    assert all(_read_at(n) is not None for n in mine) and _read_at(theirs) is None
    assert "全部标为已读" not in response.content.decode()  # nothing left to mark


def test_the_centre_marks_the_unread_and_says_when_it_is_empty(client, school):
    body = login_as(client, school.office).get(LIST).content.decode()
    assert "还没有通知。" in body and "全部标为已读" not in body
    read, unread = _notes(school, school.office, 2)
    with tenant_scope(school.tenant):
        Notification.objects.filter(pk=read.pk).update(read_at=CREATED)
    body = client.get(LIST).content.decode()
    assert body.count('class="notice-item is-unread"') == 1 and body.count('class="notice-item"') == 1
    assert body.index(unread.title) < body.index(read.title)  # newest first
    assert "全部标为已读" in body and "1 条未读。" in body


# --- pagination and cost ---


def test_pagination_newest_first(client, school):
    notes = _notes(school, school.office, PER_PAGE * 2 + 5)
    client = login_as(client, school.office)
    first = client.get(LIST).context["page"]
    assert [n.pk for n in first] == [n.pk for n in reversed(notes)][:PER_PAGE]
    last = client.get(LIST, {"page": "3"}).context["page"]
    assert [n.pk for n in last] == [n.pk for n in reversed(notes)][PER_PAGE * 2:]
    assert client.get(LIST, {"page": "999"}).context["page"].number == 3
    assert client.get(LIST, {"page": "abc"}).context["page"].number == 1


@pytest.mark.parametrize("n", [1, 30])
def test_the_centre_runs_a_constant_number_of_queries(client, school, django_assert_num_queries, n):
    _notes(school, school.office, n)
    client = login_as(client, school.office)
    client.get(LIST)  # the session's first request writes its idle-expiry
    # the session and the user; the menu's four (roles, memberships, alliance, the person shown); the page's count
    # and rows; the unread count, once for the header and the page
    with django_assert_num_queries(9):
        assert client.get(LIST).status_code == 200


# --- the header's badge ---


def _badge(body: str) -> str | None:
    """The header's notification link text ("通知", "通知 3"), or None without one."""
    found = re.search(r'<a class="topbar-notice"[^>]*>(.*?)</a>', body)
    if found is None:
        return None
    text = re.sub(r'<span class="sr-only">.*?</span>', "", found.group(1))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def test_the_header_shows_the_unread_count(client, school):
    home = reverse("home")
    assert _badge(login_as(client, school.office).get(home).content.decode()) == "通知"
    _notes(school, school.office, 3)
    _note(school, school.office, read_at=CREATED)
    _note(school, school.head)
    with tenant_scope(school.other.tenant):
        NotificationFactory(tenant=school.other.tenant, user=school.other_admin)
    body = client.get(home).content.decode()
    assert _badge(body) == "通知 3"
    assert f'href="{LIST}"' in body
    assert _badge(login_as(client, school.head).get(home).content.decode()) == "通知 1"


@pytest.mark.parametrize("who", ["anonymous", "platform"])
def test_no_badge_for_the_anonymous_and_the_platform_admin(client, school, who):
    user = None if who == "anonymous" else school.platform
    page = reverse("login") if user is None else reverse("orgs:tenant_list")
    response = login_as(client, user).get(page)
    assert response.status_code == 200
    assert _badge(response.content.decode()) is None


@pytest.mark.parametrize("page", ["home", "duties:notification_list", "duties:notification_settings"])
def test_the_badge_costs_one_query(client, school, page):
    _notes(school, school.office, 3)
    client = login_as(client, school.office)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(page))
    counts = [q["sql"] for q in queries if "duties_notification" in q["sql"] and "COUNT(" in q["sql"].upper()
              and "read_at" in q["sql"]]
    assert len(counts) == 1, counts


# --- the email preference ---


def _setting(school, user):
    with tenant_scope(school.tenant):
        return NotificationSetting.objects.filter(user=user).values_list("email", flat=True).first()


def test_choosing_email_with_an_address(client, school):
    school.office.email = "office@example.edu.cn"
    school.office.save(update_fields=["email"])
    client = login_as(client, school.office)
    body = client.get(SETTINGS).content.decode()
    assert "仅站内通知" in body and "站内通知和邮件" in body and "office@example.edu.cn" in body
    assert re.search(r'<input[^>]*value="app"[^>]*checked', body)
    response = client.post(SETTINGS, {"channel": "email"}, follow=True)
    assert response.redirect_chain == [(SETTINGS, 302)] and "已保存提醒方式。" in response.content.decode()
    assert _setting(school, school.office) is True
    assert re.search(r'<input[^>]*value="email"[^>]*checked', response.content.decode())
    client.post(SETTINGS, {"channel": "app"})
    assert _setting(school, school.office) is False


def test_choosing_email_without_an_address_is_refused_on_the_page(client, school):
    school.head.email = ""
    school.head.save(update_fields=["email"])
    response = login_as(client, school.head).post(SETTINGS, {"channel": "email"})
    assert response.status_code == 200
    assert "你的账号没有邮箱地址，无法接收邮件提醒。请先联系学校管理员填写邮箱。" in response.content.decode()
    assert _setting(school, school.head) is None
    assert login_as(client, school.head).post(SETTINGS, {"channel": "fax"}).status_code == 200
    assert _setting(school, school.head) is None


# --- the email ---


class BouncingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient."""

    def send_messages(self, email_messages):
        raise SMTPRecipientsRefused({"office@example.edu.cn": (550, b"no such user")})


def _pending(school):
    school.office.email = "office@example.edu.cn"
    school.office.save(update_fields=["email"])
    return _note(school, school.office, title="即将到期：收齐本月考勤",
                 body="朋辈互助联盟 2026年11月，请在 11月30日 23:59 前完成。", url="/attendance/monthly/",
                 email_state=EmailState.PENDING)


def test_a_bouncing_address_leaves_the_email_pending_logged_and_retried(school, settings, caplog):
    settings.EMAIL_BACKEND = "duties.tests.test_notifications.BouncingBackend"
    note = _pending(school)
    with caplog.at_level(logging.WARNING, logger="duties.services"), pytest.raises(Retry) as retry:
        tasks.notification_email.apply(args=(school.tenant.pk, note.pk), throw=True)
    assert retry.value.when == tasks.EMAIL_RETRY_BACKOFF  # the first retry, a minute later
    assert isinstance(retry.value.exc, SMTPRecipientsRefused)
    with tenant_scope(school.tenant):
        note.refresh_from_db()
    assert (note.email_state, note.email_attempts, note.email_error) == (EmailState.PENDING, 1,
                                                                        "SMTPRecipientsRefused")
    assert f"notification email failed (notification {note.pk}, attempt 1)" in caplog.text
    assert "office@example.edu.cn" not in caplog.text  # the address is not logged


def test_an_email_says_no_more_than_the_notification(school, settings, mailoutbox):
    settings.SITE_URL = "https://campus.example.edu.cn/"
    note = _pending(school)
    result = tasks.notification_email.apply(args=(school.tenant.pk, note.pk), throw=True)
    assert result.get() == EmailState.SENT
    [mail] = mailoutbox
    assert mail.subject == note.title
    assert mail.body == f"{note.body}\n\nhttps://campus.example.edu.cn/attendance/monthly/"
    assert (mail.to, mail.cc, mail.bcc, mail.attachments, getattr(mail, "alternatives", [])) == (
        ["office@example.edu.cn"], [], [], [], [])
    # sent once: the same task again sends nothing
    tasks.notification_email.apply(args=(school.tenant.pk, note.pk), throw=True)
    assert len(mailoutbox) == 1


def test_compose_gives_web_and_worker_the_mail_settings():
    compose = yaml.safe_load((Path(settings_module.BASE_DIR) / "docker-compose.yml").read_text(encoding="utf-8"))
    mail = {"EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
            "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "SITE_URL"}
    for service in ("web", "worker"):
        assert mail <= set(compose["services"][service]["environment"]), service


# --- in Chromium: the centre and the settings on a phone and a desktop ---

ARTIFACTS = Path(settings_module.BASE_DIR) / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_centre_and_the_settings_in_a_browser(browser, live_server, width):
    from tests.browser_school import log_in, school_with_office

    world = school_with_office(slug=f"notice{width}", name="通知测试大学", members=["林晓雨"])
    texts = [("即将到期：收齐本月考勤", "朋辈互助联盟 2026年11月，请在 11月30日 23:59 前完成。", "/attendance/"),
             ("已逾期：提交日常任务", "任务「11月宿舍走访记录」，截止时间 11月25日 18:00 已过，请尽快处理。",
              "/attendance/tasks/"),
             ("下属事项逾期：决定处分", "1 项处分等待决定，截止时间 11月20日 12:00 已过，负责人尚未完成。", ""),
             ("即将到期：提名学期奖励", "朋辈互助联盟 2026年秋季学期，请在 12月31日 23:59 前完成。", "/")]
    with tenant_scope(world["tenant"]):
        for i, (title, body, url) in enumerate(texts):
            NotificationFactory(tenant=world["tenant"], user=world["office"], title=title, body=body, url=url,
                                created_at=CREATED + dt.timedelta(hours=i),
                                read_at=None if i == len(texts) - 1 else CREATED + dt.timedelta(days=1))
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, live_server, "bgs")
        badge = page.locator(".topbar .topbar-notice")
        assert badge.is_visible() and badge.inner_text().split()[:2] == ["通知", "1"]
        badge.click()
        page.wait_for_url(f"**{LIST}")
        assert page.locator(".notice-item.is-unread").count() == 1 and page.locator(".notice-item").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"notifications-{width}.png", full_page=True)
        page.get_by_role("link", name="提醒方式").click()
        page.wait_for_url(f"**{SETTINGS}")
        page.get_by_label("站内通知和邮件").check()
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert "你的账号没有邮箱地址" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=ARTIFACTS / f"notification-settings-{width}.png", full_page=True)
        page.goto(f"{live_server.url}{LIST}")
        page.get_by_role("button", name="全部标为已读").click()
        page.wait_for_url(f"**{LIST}")
        assert page.locator(".notice-item.is-unread").count() == 0
        assert page.locator(".topbar .topbar-notice").inner_text().strip() == "通知"
    finally:
        context.close()
