"""The sign-in sheet (签到表 / 考勤表) of a session: linked from the meeting page and the meeting list, reachable
by whoever sees the session (with the rows the page shows them), a 404 to everyone else."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind
from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory

pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) missing")


@pytest.fixture
def world(school):
    """A plenary of the school's organisation with a member of another department, and its president."""
    s = school
    with tenant_scope(s.tenant):
        s.publicity = DepartmentFactory(tenant=s.tenant, organisation=s.org, name="宣传部")
        s.outsider = PersonFactory(tenant=s.tenant, name="王宣传", number="20250501077")
        MembershipFactory(tenant=s.tenant, person=s.outsider, organisation=s.org, department=s.publicity,
                          position=s.officer_post, term=s.term, start=s.term.start)
        s.president = UserFactory(tenant=s.tenant, username="alpha_president")
        RoleAssignmentFactory(tenant=s.tenant, user=s.president, role=Role.PRESIDENT, organisation=s.org)
        start = timezone.now() - dt.timedelta(hours=1)
        s.meeting = services.meeting_create(
            organisation=s.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), audience=Audience.ORGANISATION, user=s.office, now=timezone.now())
        services.attendance_mark(meeting=s.meeting, marks=[
            {"person": s.student_x.pk, "status": "late", "late_minutes": 8}], user=s.office, now=timezone.now())
    return s


def _urls(meeting):
    return [reverse(f"attendance:meeting_sheet_{kind}", kwargs={"meeting_id": meeting.pk})
            for kind in ("blank", "filled")]


def test_the_meeting_page_and_the_list_link_both_sheets(client, world):
    s = world
    blank, filled = _urls(s.meeting)
    for user in (s.office, s.president, s.head, s.admin):
        client.force_login(user)
        page = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": s.meeting.pk})).content.decode()
        listing = client.get(reverse("attendance:meeting_list")).content.decode()
        for html in (page, listing):
            assert f'href="{blank}"' in html and f'href="{filled}"' in html, user.username


def test_a_cancelled_session_offers_only_the_filled_sheet(client, world):
    s = world
    with tenant_scope(s.tenant):
        services.meeting_cancel(meeting=s.meeting, reason="场地冲突", now=timezone.now())
    blank, filled = _urls(s.meeting)
    client.force_login(s.office)
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": s.meeting.pk})).content.decode()
    assert blank not in html and filled in html


def test_who_may_download_the_sheets(client, world):
    s = world
    for user, status in ((s.office, 200), (s.president, 200), (s.head, 200), (s.admin, 200),
                         (s.officer, 404), (s.counsellor, 404), (s.other_admin, 404)):
        client.force_login(user)
        for url in _urls(s.meeting):
            response = client.get(url)
            assert response.status_code == status, (user.username, url)
            if status == 200:
                assert response["Content-Type"] == "application/pdf"
                assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert all(client.get(url).status_code in (302, 404) for url in _urls(s.meeting))


def _pdf_text(response, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


@pdf_tools
def test_the_sheets_hold_the_school_the_rows_the_user_sees_and_the_marks(client, world, tmp_path):
    s = world
    blank, filled = _urls(s.meeting)
    client.force_login(s.office)
    text = _pdf_text(client.get(blank), tmp_path)
    assert s.tenant.name in text and "签到表" in text and "本人签名" in text
    assert s.student_x.name in text and s.outsider.name in text and "20250501077" in text
    text = _pdf_text(client.get(filled), tmp_path)
    assert "考勤表" in text and "迟到8分钟" in text and "迟到（" not in text and "制表人" in text and "审核人" in text
    # a department head sees their own department's rows, on the page and on the sheet
    client.force_login(s.head)
    text = _pdf_text(client.get(filled), tmp_path)
    assert s.student_x.name in text and s.outsider.name not in text
