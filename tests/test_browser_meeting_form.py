"""In Debian's Chromium (Playwright): on the new-meeting form the end follows the start (keeping the
duration), an end before the start is refused by the browser, and only the fields the chosen kind and audience
need are shown. Screenshots at 1280 and 390 px land in screenshots/ (git-ignored)."""

import datetime as dt
from pathlib import Path

import pytest

from attendance.forms import default_start
from tests.browser_school import log_in, school_with_office

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def office():
    school = school_with_office(slug="form_browser", name="表单测试大学", members=["林晓雨", "陈思远", "王子涵"])
    return school["office"]


def _visible(page, name):
    return page.locator(f'[name="{name}"]').locator("xpath=ancestor::div[contains(@class,'form-row')]").is_visible()


def test_the_end_follows_the_start_and_only_the_needed_fields_show(page, live_server, office):
    log_in(page, live_server, "bgs")
    page.goto(f"{live_server.url}/attendance/meetings/new/")

    start, end = page.locator("#id_starts_at"), page.locator("#id_ends_at")
    proposed = default_start()
    assert start.input_value() == f"{proposed:%Y-%m-%dT%H:%M}"
    assert end.input_value() == f"{proposed + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}"

    # the default: a department meeting of one department
    assert _visible(page, "department") and _visible(page, "weekly") and not _visible(page, "chosen")
    page.screenshot(path=SCREENSHOTS / "meeting-form-desktop.png", full_page=True)

    # a two-hour meeting moved to the next day at 14:00 ends at 16:00
    day = (proposed + dt.timedelta(days=1)).date()
    end.fill(f"{proposed + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}")
    start.fill(f"{day:%Y-%m-%d}T14:00")
    assert end.input_value() == f"{day:%Y-%m-%d}T16:00"
    # and again, across midnight
    start.fill(f"{day:%Y-%m-%d}T23:00")
    assert end.input_value() == f"{day + dt.timedelta(days=1):%Y-%m-%d}T01:00"

    # an end before the start is refused with the server's message
    end.fill(f"{day:%Y-%m-%d}T22:00")
    assert end.evaluate("e => e.validationMessage") == "结束时间必须晚于开始时间。"
    end.fill(f"{day:%Y-%m-%d}T23:30")
    assert end.evaluate("e => e.validity.valid")

    # a plenary of all members: neither department, chosen people nor "weekly"
    page.select_option("#id_kind", "plenary")
    page.select_option("#id_audience", "organisation")
    assert not _visible(page, "department") and not _visible(page, "chosen") and not _visible(page, "weekly")
    # chosen people: their list, and no department
    page.select_option("#id_audience", "chosen")
    assert _visible(page, "chosen") and not _visible(page, "department")
    # a department meeting names its department whatever the audience
    page.select_option("#id_kind", "department")
    assert _visible(page, "chosen") and _visible(page, "department") and _visible(page, "weekly")

    page.select_option("#id_kind", "other")
    page.select_option("#id_audience", "organisation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "meeting-form-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the new-meeting form scrolls sideways on a phone ({width}px)"
