"""In Debian's Chromium (Playwright): the office opens the QR screen at the door; a member who is not logged in
on their phone opens the code's link, logs in, comes back to the confirmation and checks in (issue 4 item 3).

Screenshots of the QR screen (desktop and phone) and of the member's pages land in screenshots/ (git-ignored).
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, Audience, MeetingKind, Status
from members.tests.factories import UserFactory
from orgs.tenancy import tenant_scope
from tests.browser_school import school_with_office

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def door():
    school = school_with_office(slug="checkin_browser", name="签到测试大学",
                                members=["林晓雨", "陈思远", "王子涵", "赵一鸣"])
    tenant, org, people, office = school["tenant"], school["org"], school["people"], school["office"]
    with tenant_scope(tenant):
        member = UserFactory(tenant=tenant, person=people[0], username="lxy")
        start = timezone.now() + dt.timedelta(minutes=5)
        meeting = services.meeting_create(
            organisation=org, kind=MeetingKind.PLENARY, title="十一月全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), place="学生活动中心 201", audience=Audience.ORGANISATION,
            user=office, now=timezone.now())
    return {"tenant": tenant, "meeting": meeting, "member": member}


def _log_in(page, username):
    page.get_by_label("用户名或学号").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_door_screen_and_a_phone_check_in(new_context, live_server, door):
    # pytest-playwright's new_context closes every context at the end of the test. The QR screens poll the server
    # every few seconds: left open (browser.new_context), they went on polling through the rest of the session,
    # from live_server's request threads, on the test database's shared connection (see the root conftest).
    SCREENSHOTS.mkdir(exist_ok=True)
    meeting = door["meeting"]
    screen = new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    screen.goto(f"{live_server.url}/login/?next=/attendance/meetings/{meeting.pk}/qr/")
    _log_in(screen, "bgs")
    screen.wait_for_url(f"**/attendance/meetings/{meeting.pk}/qr/")
    screen.wait_for_selector("#qr-code svg")
    assert screen.locator("#qr-count").inner_text() == "0"
    screen.screenshot(path=str(SCREENSHOTS / "checkin-qr-desktop.png"))
    link = screen.evaluate("fetch(location.pathname + 'code/').then(r => r.json()).then(d => d.url)")

    phone = new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    phone.goto(link)  # not logged in on the phone: to the login page, then back
    _log_in(phone, "lxy")
    phone.wait_for_url(link)
    assert "签到：十一月全体会议" in phone.content()
    phone.screenshot(path=str(SCREENSHOTS / "checkin-confirm-phone.png"))
    phone.get_by_role("button", name="确认签到").click()
    phone.wait_for_selector("#checkin-result")
    assert "签到成功：出席。" in phone.content() and "你已签到。" in phone.content()
    phone.screenshot(path=str(SCREENSHOTS / "checkin-done-phone.png"))
    with tenant_scope(door["tenant"]):
        assert Attendance.objects.get(meeting=meeting, person=door["member"].person).status == Status.PRESENT

    # the door screen's count follows without a reload
    screen.wait_for_function("() => document.getElementById('qr-count').textContent === '1'", timeout=10_000)
    phone_screen = new_context(viewport=PHONE, locale="zh-CN").new_page()
    phone_screen.goto(f"{live_server.url}/login/?next=/attendance/meetings/{meeting.pk}/qr/")
    _log_in(phone_screen, "bgs")
    phone_screen.wait_for_selector("#qr-code svg")
    phone_screen.screenshot(path=str(SCREENSHOTS / "checkin-qr-phone.png"))

    forged = phone.context.new_page()
    forged.goto(f"{live_server.url}/attendance/checkin/{meeting.pk}/AAAAAAAAAA/")
    assert "你已签到" in forged.content()  # already checked in: nothing to do
