"""In Debian's Chromium (Playwright): the monthly attendance sheet (AT-3) on a phone and a desktop, and its PDF.

The sheet scrolls sideways inside its card on a phone (the page itself does not). Screenshots land in
screenshots/monthly-*.png (git-ignored) for a person to look at.
"""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind, Status
from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, PositionFactory, TenantFactory, TermFactory
from tests.browser_school import log_in

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["林晓雨", "陈思远", "王子涵", "赵一鸣", "刘欣然", "杨帆", "黄诗琪", "周子轩", "吴雨桐", "徐浩然", "孙佳怡",
         "马俊杰"]


@pytest.fixture
def month_of_plenaries():
    """Twelve members in two departments, four plenaries this month (the first on the 1st), a few exceptions."""
    tenant = TenantFactory(slug="monthly_browser", name="考勤测试大学")
    with tenant_scope(tenant):
        first = local_date(timezone.now()).replace(day=1)
        term = TermFactory(tenant=tenant, start=first - dt.timedelta(days=30), end=first + dt.timedelta(days=90))
        org = OrganisationFactory(tenant=tenant, name="朋辈互助联盟")
        departments = [DepartmentFactory(tenant=tenant, organisation=org, name=n) for n in ("办公室", "宣传部")]
        post = PositionFactory(tenant=tenant, organisation=org, name="干事")
        people = []
        for n, name in enumerate(NAMES):
            person = PersonFactory(tenant=tenant, name=name, number=f"2024{n + 1:04d}")
            MembershipFactory(tenant=tenant, person=person, organisation=org, department=departments[n % 2],
                              position=post, term=term, start=term.start)
            people.append(person)
        office = RoleAssignmentFactory(tenant=tenant, role=Role.OFFICE, organisation=org, user__username="bgs").user
        for week in range(4):
            start = timezone.localtime().replace(day=1 + 7 * week, hour=19, minute=0, second=0, microsecond=0)
            meeting = services.meeting_create(
                organisation=org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
                ends_at=start + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=office, now=timezone.now())
            if start < timezone.now():
                services.attendance_mark(meeting=meeting, user=office, now=start + dt.timedelta(hours=2), marks=[
                    {"person": p.pk, "status": Status.PRESENT} for p in people])
                services.attendance_mark(meeting=meeting, user=office, now=start + dt.timedelta(hours=2), marks=[
                    {"person": people[week + 1].pk, "status": Status.LATE, "late_minutes": 3 + week},
                    {"person": people[week + 4].pk, "status": Status.LEAVE},
                    {"person": people[11 - week].pk, "status": Status.ABSENT},
                ])
    return {"org": org, "people": people}


def test_the_monthly_sheet_on_a_phone_a_desktop_and_as_a_pdf(page, live_server, month_of_plenaries, tmp_path):
    SCREENSHOTS.mkdir(exist_ok=True)
    log_in(page, live_server, "bgs")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/attendance/")
    page.get_by_role("link", name="月度考勤表").click()
    page.wait_for_url("**/attendance/monthly/")
    assert page.locator(".monthly-sheet tbody tr").count() == 12
    assert "林晓雨" in page.locator(".monthly-sheet").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    page.screenshot(path=SCREENSHOTS / "monthly-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOTS / "monthly-desktop.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    pdf = tmp_path / "monthly.pdf"
    download.value.save_as(pdf)
    assert "考勤表" in download.value.suggested_filename
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(SCREENSHOTS / "monthly-pdf")], check=True)
