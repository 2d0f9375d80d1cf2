"""In Debian's Chromium (Playwright): a mark the server refuses, or finds out of date because another office user
changed the row meanwhile, stays flagged on its row with the reason until a mark of that row is saved; the
status line counts them, whatever else is saved in between. Screenshots (phone and desktop) land in
screenshots/ for a person to look at."""

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import Attendance
from members.models import Role
from members.tests.factories import RoleAssignmentFactory
from orgs.tenancy import tenant_scope
from tests.browser_school import (
    SCREENSHOTS,
    _all_saved,
    _row,
    log_in,
    plenary_fixture,  # noqa: F401 - the "plenary" fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "zh-CN"}


def _late(page, person, minutes):
    _row(page, person).get_by_role("button", name="迟到").click()
    _row(page, person).get_by_label("迟到分钟数").fill(str(minutes))
    _row(page, person).get_by_role("button", name="确定").click()


def test_refused_and_out_of_date_marks_stay_flagged_until_fixed(page, live_server, plenary):
    SCREENSHOTS.mkdir(exist_ok=True)
    meeting, people = plenary["meeting"], plenary["people"]
    status = page.locator("#att-status")
    log_in(page, live_server, "bgs")
    page.goto(f"{live_server.url}/attendance/meetings/{meeting.pk}/")

    _late(page, people[0], 600)  # the meeting began 30 minutes ago: refused
    _all_saved(page)
    _row(page, people[1]).get_by_role("button", name="出席").click()  # a later success elsewhere
    _all_saved(page)
    refused = _row(page, people[0])
    assert "is-refused" in refused.get_attribute("class")
    assert "迟到时间不能晚于现在" in refused.locator(".att-error").inner_text()
    assert refused.get_attribute("data-status") == "unmarked"  # back to what the server holds
    assert status.inner_text().startswith("1 条未保存") and "已保存" in status.inner_text()

    # another office user marks people[3] absent; this page still shows them unmarked
    with tenant_scope(plenary["tenant"]):
        other = RoleAssignmentFactory(tenant=plenary["tenant"], role=Role.OFFICE,
                                      organisation=meeting.organisation).user
        services.attendance_mark(meeting=meeting, marks=[{"person": people[3].pk, "status": "absent"}], user=other,
                                 now=timezone.now())
    _row(page, people[3]).get_by_role("button", name="出席").click()
    page.wait_for_selector(f'.att-row[data-person="{people[3].pk}"].is-refused')
    stale = _row(page, people[3])
    assert "已被他人修改" in stale.locator(".att-error").inner_text()
    assert stale.get_attribute("data-status") == "absent"  # what the other user saved, shown
    apply = stale.get_by_role("button", name="仍改为“出席”")
    assert apply.is_visible()
    assert status.inner_text().startswith("2 条未保存")
    page.screenshot(path=SCREENSHOTS / "attendance-phone-refused.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the attendance page scrolls sideways on a phone ({width}px)"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOTS / "attendance-desktop-refused.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})

    apply.click()  # apply mine on the version now shown
    _all_saved(page)
    assert "is-refused" not in stale.get_attribute("class") and stale.get_attribute("data-status") == "present"
    assert status.inner_text().startswith("1 条未保存")
    _late(page, people[0], 5)  # fixed
    _all_saved(page)
    assert "is-refused" not in refused.get_attribute("class")
    assert "未保存" not in status.inner_text()
    with tenant_scope(plenary["tenant"]):
        saved = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    assert (saved[people[0].pk], saved[people[1].pk], saved[people[3].pk]) == ("late", "present", "present")
