"""A mark in words, said one way everywhere (``attendance.models.status_text``): "迟到 3 分钟" on 我的考勤, the
sign-in sheet and the monthly Excel, never "迟到 迟到 3 分钟" or "迟到（迟到 3 分钟）"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind, Status, status_text
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope


@pytest.mark.parametrize(("status", "minutes", "as_absence", "text"), [
    (Status.PRESENT, None, False, "出席"),
    (Status.LATE, 3, False, "迟到 3 分钟"),
    (Status.LATE, None, False, "迟到"),
    (Status.ABSENT, 12, True, "旷会（迟到 12 分钟）"),
    (Status.ABSENT, None, False, "旷会"),
    (Status.LEAVE, None, False, "请假"),
    (Status.UNMARKED, None, False, "未记录"),
])
def test_status_text(status, minutes, as_absence, text):
    assert status_text(status, minutes, as_absence) == text


def test_my_attendance_says_a_late_once(client, school):
    start = timezone.now() - dt.timedelta(hours=2)
    with tenant_scope(school.tenant):
        meeting = services.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())
        services.attendance_mark(meeting=meeting, marks=[{"person": school.officer.person_id, "status": "late",
                                                          "late_minutes": 3}], user=school.office, now=timezone.now())
    client.force_login(school.officer)
    html = client.get(reverse("attendance:my_attendance")).content.decode()
    assert "迟到 3 分钟" in html and "迟到 迟到" not in html
