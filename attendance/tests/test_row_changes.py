"""A row's 修改记录, loaded when it is opened on the attendance page (``attendance:meeting_row_changes``): who may
read it is exactly who sees that row on the page; anything else is a 404, bad ids included."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory


@pytest.fixture
def marked(school):
    """A plenary of the school's organisation with a member of another department (王外部); the office marked
    student X late then present, and 王外部 absent."""
    with tenant_scope(school.tenant):
        other_dept = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="宣传部")
        outsider = PersonFactory(tenant=school.tenant, name="王外部")
        MembershipFactory(tenant=school.tenant, person=outsider, organisation=school.org, department=other_dept,
                          position=school.officer_post, term=school.term, start=school.term.start)
        start = timezone.now() - dt.timedelta(hours=1)
        meeting = services.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())
        for marks in ([{"person": school.student_x.pk, "status": "late", "late_minutes": 5},
                       {"person": outsider.pk, "status": "absent"}],
                      [{"person": school.student_x.pk, "status": "present"}]):
            services.attendance_mark(meeting=meeting, marks=marks, user=school.office, now=timezone.now())
    return meeting, outsider


def _url(meeting_id, person_id):
    return reverse("attendance:meeting_row_changes", kwargs={"meeting_id": meeting_id, "person_id": person_id})


def test_the_office_reads_a_rows_changes_newest_first(client, school, marked):
    meeting, _outsider = marked
    client.force_login(school.office)
    response = client.get(_url(meeting.pk, school.student_x.pk))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert html.count("<li>") == 2
    assert html.index("迟到（5′） → 出席") < html.index("未记录 → 迟到（5′）")
    assert "旷会" not in html  # another row's change


def test_a_department_head_reads_only_their_departments_rows(client, school, marked):
    meeting, outsider = marked
    client.force_login(school.head)
    assert client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).status_code == 200
    assert "迟到（5′） → 出席" in client.get(_url(meeting.pk, school.student_x.pk)).content.decode()
    # 王外部 is not on the head's page, so neither is their history: the 404 of a missing row
    assert client.get(_url(meeting.pk, outsider.pk)).status_code == 404
    assert client.get(_url(meeting.pk, 10**9)).status_code == 404


def test_who_does_not_see_the_page_gets_404(client, school, marked):
    meeting, _outsider = marked
    # the officer is expected at the meeting but does not see its page; another school's admin sees nothing
    for user in (school.officer, school.counsellor, school.other_admin):
        client.force_login(user)
        assert client.get(_url(meeting.pk, school.officer.person_id)).status_code == 404, user
        assert client.get(_url(meeting.pk, school.student_x.pk)).status_code == 404, user
    client.logout()
    assert client.get(_url(meeting.pk, school.student_x.pk)).status_code in (302, 404)


def test_another_schools_meeting_is_a_404(client, school, marked):
    meeting, _outsider = marked
    client.force_login(school.other.office)
    assert client.get(_url(meeting.pk, school.student_x.pk)).status_code == 404


@pytest.mark.parametrize("person", ["abc", "-1", "0", "1.5", "99999999999999999999", str(2**63), "%C2%B2"])
def test_bad_person_ids_are_404s(client, school, marked, person):
    meeting, _outsider = marked
    client.force_login(school.office)
    assert client.get(f"/attendance/meetings/{meeting.pk}/people/{person}/changes/").status_code == 404


def test_someone_not_expected_is_a_404(client, school, marked):
    meeting, _outsider = marked
    client.force_login(school.office)
    assert client.get(_url(meeting.pk, school.student_y.pk)).status_code == 404


def test_a_row_without_changes_is_an_empty_list(client, school, marked):
    meeting, _outsider = marked
    client.force_login(school.office)
    response = client.get(_url(meeting.pk, school.head.person_id))
    assert response.status_code == 200 and "<li>" not in response.content.decode()


def test_it_is_read_only(client, school, marked):
    meeting, _outsider = marked
    client.force_login(school.office)
    response = client.post(_url(meeting.pk, school.student_x.pk), data=json.dumps({}),
                           content_type="application/json")
    assert response.status_code == 405
