"""In Debian's Chromium (Playwright), on a phone: log in, find a person, see what the role may see.

Screenshots land in test-artifacts/ (git-ignored) for a person to look at.
"""

from pathlib import Path

import pytest

from members.models import PoliticalStatus, Role
from members.tests.factories import PersonFactory, RoleAssignmentFactory
from orgs.tests.factories import SchoolClassFactory, TenantFactory
from tests.browser_school import log_in

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "zh-CN"}


@pytest.fixture
def school():
    tenant = TenantFactory(slug="browser", name="浏览器测试大学")
    school_class = SchoolClassFactory(tenant=tenant, name="英语2401班")
    counsellor = RoleAssignmentFactory(
        tenant=tenant, role=Role.COUNSELLOR, school_class=school_class, user__username="fdy"
    )
    student = PersonFactory(
        tenant=tenant, school_class=school_class, name="林晓雨", number="20240001",
        political_status=PoliticalStatus.PROBATIONARY,
    )
    for n in range(30):
        PersonFactory(tenant=tenant, school_class=school_class, name=f"同学{n:02d}")
    return {"counsellor": counsellor.user, "student": student}


def test_a_counsellor_finds_a_student_on_a_phone(page, live_server, school):
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, live_server, "fdy")
    page.screenshot(path=ARTIFACTS / "browser-home.png", full_page=True)

    page.goto(f"{live_server.url}/people/?q=林晓")
    rows = page.locator("main").get_by_text("林晓雨")
    assert rows.count() >= 1
    page.screenshot(path=ARTIFACTS / "browser-people.png", full_page=True)

    rows.first.click()
    page.wait_for_url(f"**/people/{school['student'].pk}/")
    body = page.locator("main").inner_text()
    assert "20240001" in body and "中共预备党员" in body  # a counsellor of the class sees political status
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the person page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=ARTIFACTS / "browser-person.png", full_page=True)
