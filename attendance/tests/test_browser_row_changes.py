"""In Debian's Chromium (Playwright): a row's 修改记录 is loaded when it is opened, a save adds one to its count
(and reloads a list already loaded), and the office's controls, in the page once, are copied into each row with
the row's name and status. The department head's read-only page has no controls and loads history too. A
screenshot of a row with its history open lands in screenshots/."""

import pytest
from django.utils import timezone

from attendance import services
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


def _history(page, person):
    return _row(page, person).locator(".att-history")


def test_history_is_loaded_when_opened_and_follows_saves(page, live_server, plenary):
    meeting, people = plenary["meeting"], plenary["people"]
    with tenant_scope(plenary["tenant"]):
        office = meeting.created_by
        services.attendance_mark(meeting=meeting, user=office, now=timezone.now(),
                                 marks=[{"person": people[0].pk, "status": "late", "late_minutes": 5}])
    log_in(page, live_server, "bgs")
    page.goto(f"{live_server.url}/attendance/meetings/{meeting.pk}/")

    group = _row(page, people[0]).get_by_role("group", name=f"{people[0].name}的考勤")
    assert group.get_by_role("button", name="迟到").get_attribute("aria-pressed") == "true"
    assert group.get_by_role("button", name="出席").get_attribute("aria-pressed") == "false"
    assert page.locator(".att-row .att-buttons").count() == 12 and page.locator("#att-list .att-late").count() == 12
    assert _history(page, people[1]).is_hidden()  # no change yet

    history = _history(page, people[0])
    assert history.locator("summary").inner_text() == "修改记录 1 条" and history.locator("li").count() == 0
    history.locator("summary").click()
    page.wait_for_selector(f'.att-row[data-person="{people[0].pk}"] .att-changes li')
    assert "未记录 → 迟到（5′）" in history.locator(".att-changes").inner_text()

    _row(page, people[0]).get_by_role("button", name="出席").click()  # loaded: the list is loaded again
    _all_saved(page)
    page.wait_for_function(f"""() => document.querySelectorAll(
        '.att-row[data-person="{people[0].pk}"] .att-changes li').length === 2""")
    assert history.locator("summary").inner_text() == "修改记录 2 条"
    assert history.locator("li").first.inner_text().endswith("迟到（5′） → 出席")
    SCREENSHOTS.mkdir(exist_ok=True)
    _row(page, people[0]).screenshot(path=SCREENSHOTS / "attendance-phone-history.png")

    _row(page, people[1]).get_by_role("button", name="旷会").click()  # not loaded yet: the count only
    _all_saved(page)
    assert _history(page, people[1]).is_visible()
    assert _history(page, people[1]).locator("summary").inner_text() == "修改记录 1 条"
    _history(page, people[1]).locator("summary").click()
    page.wait_for_selector(f'.att-row[data-person="{people[1].pk}"] .att-changes li')
    assert "未记录 → 旷会" in _history(page, people[1]).inner_text()


def test_the_read_only_page_loads_history_without_controls(page, live_server, plenary):
    meeting, people = plenary["meeting"], plenary["people"]
    with tenant_scope(plenary["tenant"]):
        services.attendance_mark(meeting=meeting, user=meeting.created_by, now=timezone.now(),
                                 marks=[{"person": people[2].pk, "status": "leave"}])
        RoleAssignmentFactory(tenant=plenary["tenant"], role=Role.PRESIDENT, organisation=meeting.organisation,
                              user__username="president")
    log_in(page, live_server, "president")
    page.goto(f"{live_server.url}/attendance/meetings/{meeting.pk}/")
    assert page.locator(".att-row").count() == 12 and page.locator(".att-buttons, #att-controls").count() == 0
    _history(page, people[2]).locator("summary").click()
    page.wait_for_selector(f'.att-row[data-person="{people[2].pk}"] .att-changes li')
    assert "未记录 → 请假" in _history(page, people[2]).inner_text()
