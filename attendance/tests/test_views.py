"""The attendance pages (SPEC AT-1, AT-2): who sees and records what, the JSON marks endpoint and its bad
inputs, "all present", leave requests, a constant number of queries, and the module switch."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, Audience, LeaveRequest, LeaveStatus, Status
from attendance.tests.mark_world import _changes, _meeting, _post_marks, _rows
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from tests.personas import personas, statuses


@pytest.fixture
def meeting(school):
    return _meeting(school)


# --- who sees the attendance page ---


def test_the_attendance_page_by_persona(client, school, meeting, other_office):
    url = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
    names = ("office", "head", "admin", "officer", "other_school", "counsellor", "other_office")
    assert statuses(client, url, personas(school, names=names, other_office=other_office)) == {
        "office": 200, "head": 200, "admin": 200, "officer": 404, "other_school": 404, "counsellor": 404,
        "other_office": 404}
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_the_office_sees_every_row_with_controls_and_the_keys(client, school, meeting):
    client.force_login(school.office)
    response = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk}))
    html = response.content.decode()
    assert response.context["recorder"] is True
    assert {r.person_id for r in response.context["rows"]} == {school.student_x.pk, school.officer.person_id,
                                                               school.head.person_id}
    assert "全部出席" in html and 'data-marks-url="' in html and "<kbd>1</kbd>" in html
    assert "迟到超过 10 分钟记为旷会" in html


def test_a_department_head_reads_only_their_department(client, school, meeting):
    with tenant_scope(school.tenant):
        other_dept = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="宣传部")
        outsider = PersonFactory(tenant=school.tenant, name="王外部")
        MembershipFactory(tenant=school.tenant, person=outsider, organisation=school.org, department=other_dept,
                          position=school.officer_post, term=school.term, start=school.term.start)
    later = _meeting(school)
    client.force_login(school.head)
    response = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": later.pk}))
    assert response.status_code == 200 and response.context["recorder"] is False
    names = {r.name for r in response.context["rows"]}
    assert "王外部" not in names and school.student_x.name in names
    assert "data-marks-url" not in response.content.decode()
    assert _post_marks(client, later, [{"person": school.student_x.pk, "status": "present"}]).status_code == 403
    url = reverse("attendance:meeting_all_present", kwargs={"meeting_id": later.pk})
    assert client.post(url).status_code == 403


# --- marks (JSON) ---


def test_marks_are_saved_and_kept_in_the_history(client, school, meeting):
    client.force_login(school.office)
    response = _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "late", "late_minutes": 5}])
    assert response.status_code == 200
    [row] = response.json()["rows"]
    assert row == {"person": school.student_x.pk, "status": "late", "status_label": "迟到", "late_minutes": 5,
                   "late_as_absence": False, "version": 1}
    assert _rows(school, meeting)[school.student_x.pk].status == Status.LATE
    # a correction after the fact is kept as a change, and shown on the page (its table, and the row's count,
    # whose list is loaded when opened: attendance/tests/test_row_changes.py)
    _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "present"}])
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert "迟到（5′） → 出席" in html and "修改记录 2 条" in html
    assert html.count("迟到（5′） → 出席") == 1  # each change once: the table, not the row too
    url = reverse("attendance:meeting_row_changes", kwargs={"meeting_id": meeting.pk,
                                                            "person_id": school.student_x.pk})
    assert "迟到（5′） → 出席" in client.get(url).content.decode()


def test_a_late_beyond_the_threshold_is_an_absence(client, school, meeting):
    client.force_login(school.office)
    response = _post_marks(client, meeting, [{"person": school.officer.person_id, "status": "late",
                                              "late_minutes": 15}])
    [row] = response.json()["rows"]
    assert (row["status"], row["late_minutes"], row["late_as_absence"]) == ("absent", 15, True)
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert "迟到超过 10 分钟，已记为旷会" in html


@pytest.mark.parametrize(("mark", "message"), [
    ({"status": "late", "late_minutes": -3}, "迟到分钟数不能为负数。"),
    ({"status": "late", "late_minutes": 600}, "迟到时间不能晚于现在。"),
    ({"status": "late"}, "迟到须填写分钟数。"),
    ({"status": "sleeping"}, "未知的考勤状态。"),
])
def test_bad_marks_are_refused_in_chinese_and_change_nothing(client, school, meeting, mark, message):
    client.force_login(school.office)
    before = _changes(school)
    response = _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "present"},
                                             {"person": school.officer.person_id, **mark}])
    assert response.status_code == 400 and response.json()["error"] == message
    assert _changes(school) == before
    assert _rows(school, meeting)[school.student_x.pk].status == Status.UNMARKED


def test_a_mark_for_someone_not_expected_is_refused(client, school, meeting):
    client.force_login(school.office)
    response = _post_marks(client, meeting, [{"person": school.student_y.pk, "status": "present"}])
    assert response.status_code == 400 and response.json()["error"] == "此人不是本次会议的应到人员。"


def test_a_malformed_body_is_a_400(client, school, meeting):
    client.force_login(school.office)
    url = reverse("attendance:meeting_marks", kwargs={"meeting_id": meeting.pk})
    for body in ("nonsense", json.dumps({"marks": "x"}), json.dumps({"marks": [{"person": "1"}]}), "{}"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"] == "请求格式不正确。"
    assert client.get(url).status_code == 405


def test_a_double_submit_is_a_harmless_no_op(client, school, meeting):
    client.force_login(school.office)
    mark = [{"person": school.student_x.pk, "status": "absent"}]
    assert _post_marks(client, meeting, mark).status_code == 200
    response = _post_marks(client, meeting, mark)
    assert response.status_code == 200 and response.json()["rows"][0]["version"] == 1
    assert _changes(school) == 1


def test_present_before_the_meeting_starts_is_refused(client, school):
    future = _meeting(school, starts_in=dt.timedelta(days=1))
    client.force_login(school.office)
    response = _post_marks(client, future, [{"person": school.student_x.pk, "status": "present"}])
    assert response.status_code == 400 and response.json()["error"] == "会议尚未开始，不能记录出席或迟到。"


def test_another_organisations_office_gets_404_on_every_write(client, school, meeting, other_office):
    client.force_login(other_office)
    assert _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "present"}]).status_code == 404
    for name in ("meeting_all_present", "meeting_cancel"):
        assert client.post(reverse(f"attendance:{name}", kwargs={"meeting_id": meeting.pk})).status_code == 404
    assert _changes(school) == 0


def test_all_present_marks_only_the_unmarked(client, school, meeting):
    client.force_login(school.office)
    _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "leave"}])
    response = client.post(reverse("attendance:meeting_all_present", kwargs={"meeting_id": meeting.pk}),
                           follow=True)
    assert "已将 2 名未记录的人员记为出席" in response.content.decode()
    statuses = {pk: row.status for pk, row in _rows(school, meeting).items()}
    assert statuses == {school.student_x.pk: "leave", school.officer.person_id: "present",
                        school.head.person_id: "present"}


def test_the_page_runs_a_constant_number_of_queries(client, school):
    def count(n):
        with tenant_scope(school.tenant):
            chosen = []
            for i in range(n):
                person = PersonFactory(tenant=school.tenant, name=f"成员{n}-{i}")
                MembershipFactory(tenant=school.tenant, person=person, organisation=school.org,
                                  department=school.dept, position=school.officer_post, term=school.term,
                                  start=school.term.start)
                chosen.append(person)
        meeting = _meeting(school, chosen=chosen)
        with tenant_scope(school.tenant):
            meeting.audience = Audience.CHOSEN
            services.attendance_mark(meeting=meeting, marks=[{"person": p.pk, "status": "present"} for p in chosen],
                                     user=school.office, now=timezone.now())
            services.attendance_mark(meeting=meeting, marks=[{"person": p.pk, "status": "absent"} for p in chosen],
                                     user=school.office, now=timezone.now())
        url = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    client.force_login(school.office)
    assert count(10) == count(60)  # 120 changes: more than the table shows (RECENT_CHANGES)
    client.force_login(school.head)
    assert count(10) == count(60)


def test_the_office_controls_are_in_the_page_once(client, school, meeting):
    """Five buttons and two panels, once in a <template> (the script copies them into each row), not per row;
    the read-only view has none."""
    client.force_login(school.office)
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert html.count('<template id="att-controls">') == 1 and html.count('data-mark="late"') == 1
    assert html.count('class="att-late"') == 1 and html.count('class="att-error"') == 1
    assert html.count('class="att-row ') == 3 and html.count('class="history att-history"') == 3
    assert 'data-msg-group="%(n)s的考勤"' in html
    client.force_login(school.head)
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert "att-controls" not in html and "data-mark=" not in html and 'class="att-row ' in html


def test_the_change_table_shows_the_newest_and_all_on_request(client, school, meeting):
    from attendance.views.meetings import RECENT_CHANGES

    client.force_login(school.office)
    people = [school.student_x.pk, school.officer.person_id, school.head.person_id]
    rounds = RECENT_CHANGES // len(people) + 1
    for i in range(rounds):
        _post_marks(client, meeting, [{"person": pk, "status": "absent" if i % 2 == 0 else "leave"} for pk in people])
    total = rounds * len(people)
    url = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
    response = client.get(url)
    assert len(response.context["changes"]) == RECENT_CHANGES and response.context["changes_total"] == total
    assert f"共 {total} 条" in response.content.decode() and "?changes=all#changes" in response.content.decode()
    response = client.get(url + "?changes=all")
    assert len(response.context["changes"]) == total and "?changes=all#changes" not in response.content.decode()


# --- meetings (AT-1) ---


def test_the_meeting_list_by_persona_and_filters(client, school, meeting):
    url = reverse("attendance:meeting_list")
    expected = {"office": 200, "head": 200, "admin": 200, "officer": 403, "logistics": 403}
    assert statuses(client, url, personas(school, names=expected)) == expected
    client.force_login(school.office)
    page = client.get(url).context["page"]
    assert [m.pk for m in page] == [meeting.pk] and page[0].expected == 3
    month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
    assert len(client.get(url, {"month": month, "organisation": school.org.pk}).context["page"]) == 1
    assert len(client.get(url, {"month": "2001-01"}).context["page"]) == 0


def test_the_meeting_list_runs_a_constant_number_of_queries(client, school):
    client.force_login(school.office)
    _meeting(school)
    url = reverse("attendance:meeting_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        _meeting(school)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def _form(school, **extra):
    start = timezone.localtime() + dt.timedelta(days=1)
    data = {"organisation": school.org.pk, "kind": "department", "title": "办公室例会", "stars": 3,
            "starts_at": start.strftime("%Y-%m-%dT19:00"), "ends_at": start.strftime("%Y-%m-%dT20:00"),
            "place": "学活 201", "audience": "department", "department": school.dept.pk}
    return {**data, **extra}


def test_the_office_creates_a_meeting(client, school):
    client.force_login(school.office)
    url = reverse("attendance:meeting_create")
    assert client.get(url).status_code == 200
    response = client.post(url, _form(school))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        meeting = school.org.meetings.get()
        assert meeting.attendances.count() == 3 and meeting.place == "学活 201"


def test_a_meeting_for_chosen_people(client, school):
    client.force_login(school.office)
    response = client.post(reverse("attendance:meeting_create"), _form(
        school, kind="other", audience="chosen", department="", chosen=[school.student_x.pk]))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        assert list(school.org.meetings.get().attendances.values_list("person_id", flat=True)) == [
            school.student_x.pk]


def test_a_weekly_series_to_the_end_of_the_term(client, school):
    client.force_login(school.office)
    response = client.post(reverse("attendance:meeting_create"), _form(school, weekly="on"))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        assert school.org.meetings.count() >= 10


def test_bad_meeting_forms_say_why(client, school):
    client.force_login(school.office)
    url = reverse("attendance:meeting_create")
    html = client.post(url, _form(school, ends_at=_form(school)["starts_at"])).content.decode()
    assert "结束时间必须晚于开始时间。" in html
    html = client.post(url, _form(school, department="")).content.decode()
    assert "部门例会须选择部门。" in html
    with tenant_scope(school.tenant):
        assert not school.org.meetings.exists()


def test_only_an_office_creates_meetings(client, school):
    users = personas(school, names=("head", "officer", "admin"))
    assert statuses(client, reverse("attendance:meeting_create"), users) == {"head": 403, "officer": 403, "admin": 403}


def test_the_office_cancels_a_meeting_with_a_reason(client, school, meeting):
    client.force_login(school.office)
    url = reverse("attendance:meeting_cancel", kwargs={"meeting_id": meeting.pk})
    html = client.post(url, {"reason": " "}, follow=True).content.decode()
    assert "请填写取消原因。" in html
    client.post(url, {"reason": "场地冲突"})
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "场地冲突"
    response = _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "present"}])
    assert response.status_code == 400 and response.json()["error"] == "会议已取消，不能记录考勤。"
    client.force_login(school.head)
    assert client.post(url, {"reason": "x"}).status_code == 403


# --- leave ---


def test_a_member_requests_leave_and_the_office_decides(client, school):
    future = _meeting(school, starts_in=dt.timedelta(days=2))
    client.force_login(school.officer)
    page = client.get(reverse("attendance:my_attendance"))
    assert page.status_code == 200 and "全体会议" in page.content.decode()
    url = reverse("attendance:leave_request", kwargs={"meeting_id": future.pk})
    assert client.post(url, {"reason": "实验课"}).status_code == 302
    html = client.post(url, {"reason": "实验课"}, follow=True).content.decode()
    assert "已有一份待审批的请假申请。" in html
    with tenant_scope(school.tenant):
        leave = LeaveRequest.objects.get()

    decide = reverse("attendance:leave_decide", kwargs={"leaverequest_id": leave.pk})
    users = personas(school, names=("officer", "head"))
    assert statuses(client, decide, users, "post", {"decision": "approve"}) == {"officer": 404, "head": 404}
    client.force_login(school.office)
    listing = client.get(reverse("attendance:leave_list")).content.decode()
    assert "实验课" in listing and school.officer.person.name in listing
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    with tenant_scope(school.tenant):
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.APPROVED
    assert _rows(school, future)[school.officer.person_id].status == Status.LEAVE
    html = client.post(decide, {"decision": "refuse"}, follow=True).content.decode()
    assert "这份请假申请已经审批过了。" in html


def test_pending_leave_is_decided_on_the_attendance_page_itself(client, school):
    future = _meeting(school, starts_in=dt.timedelta(days=2))
    with tenant_scope(school.tenant):
        services.leave_request_create(attendance=Attendance.objects.get(meeting=future,
                                                                        person=school.officer.person),
                                      reason="校运会志愿者", user=school.officer, now=timezone.now())
        leave = LeaveRequest.objects.get()
    page = reverse("attendance:meeting_detail", kwargs={"meeting_id": future.pk})
    client.force_login(school.head)
    assert "校运会志愿者" not in client.get(page).content.decode()  # read-only: no decisions to take
    client.force_login(school.office)
    html = client.get(page).content.decode()
    assert 'id="pending-leave"' in html and "校运会志愿者" in html
    decide = reverse("attendance:leave_decide", kwargs={"leaverequest_id": leave.pk})
    response = client.post(decide, {"decision": "refuse", "back": "meeting", "answer": "需到会"})
    assert response.status_code == 302 and response["Location"] == page
    assert 'id="pending-leave"' not in client.get(page).content.decode()
    with tenant_scope(school.tenant):
        leave.refresh_from_db()
        assert (leave.status, leave.answer) == (LeaveStatus.REFUSED, "需到会")
    assert _rows(school, future)[school.officer.person_id].status == Status.UNMARKED


def test_leave_after_the_meeting_started_is_refused(client, school, meeting):
    client.force_login(school.officer)
    url = reverse("attendance:leave_request", kwargs={"meeting_id": meeting.pk})
    html = client.post(url, {"reason": "生病"}, follow=True).content.decode()
    assert "会议已经开始，不能再请假；请联系办公室。" in html
    with tenant_scope(school.tenant):
        assert not LeaveRequest.objects.exists()


def test_leave_for_a_meeting_one_is_not_expected_at(client, school, meeting):
    client.force_login(school.counsellor)
    html = client.post(reverse("attendance:leave_request", kwargs={"meeting_id": meeting.pk}),
                       {"reason": "x"}, follow=True).content.decode()
    assert "你不是本次会议的应到人员，不能请假。" in html
    client.force_login(school.other_admin)
    assert client.post(reverse("attendance:leave_request", kwargs={"meeting_id": meeting.pk}),
                       {"reason": "x"}).status_code == 404


# --- the module switch and the menu ---


def test_the_menu_and_home_link_the_pages(client, school):
    meetings, mine = (f'href="{reverse(name)}"' for name in ("attendance:meeting_list", "attendance:my_attendance"))
    client.force_login(school.office)
    html = client.get(reverse("home")).content.decode()
    assert html.count(meetings) == 2  # the menu and the office's card
    assert mine not in html  # this office holds no membership: no attendance of its own (tests/test_menu.py)
    client.force_login(school.officer)
    html = client.get(reverse("home")).content.decode()
    assert meetings not in html and mine in html


def test_alliance_off_hides_every_page_and_the_menu(client, school, meeting):
    school.tenant.modules = [m for m in school.tenant.modules if m != "alliance"]
    school.tenant.save()
    client.force_login(school.office)
    for url in (reverse("attendance:meeting_list"), reverse("attendance:my_attendance"),
                reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})):
        assert client.get(url).status_code == 404, url
    assert _post_marks(client, meeting, [{"person": school.student_x.pk, "status": "present"}]).status_code == 404
    html = client.get(reverse("home")).content.decode()
    assert 'href="/attendance/' not in html


# --- editing a session (AT-1) ---


def _edit_data(meeting, **changes):
    start = timezone.localtime(meeting.starts_at)
    data = {"title": "改期的全体会议", "stars": "4", "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{start + dt.timedelta(hours=3):%Y-%m-%dT%H:%M}", "place": "学活 201", "minutes_taker": ""}
    return {**data, **changes}


def test_the_edit_page_by_persona(client, school, meeting, other_office):
    url = reverse("attendance:meeting_edit", kwargs={"meeting_id": meeting.pk})
    expected = {"office": 200, "head": 403, "admin": 403, "officer": 404, "other_admin": 404}
    for persona, status in expected.items():
        client.force_login(getattr(school, persona))
        assert client.get(url).status_code == status, persona
        if status != 200:
            assert client.post(url, _edit_data(meeting)).status_code == status, persona
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    assert client.post(url, _edit_data(meeting)).status_code == 404
    with tenant_scope(school.tenant):
        meeting.refresh_from_db()
    assert meeting.title == "全体会议"


def test_the_office_edits_a_meeting_from_the_attendance_page(client, school, meeting):
    client.force_login(school.office)
    detail = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
    url = reverse("attendance:meeting_edit", kwargs={"meeting_id": meeting.pk})
    assert f'href="{url}"' in client.get(detail).content.decode()
    page = client.get(url).content.decode()
    assert "应到人员在此不能修改" in page and 'value="全体会议"' in page
    response = client.post(url, _edit_data(meeting, minutes_taker=str(school.student_x.pk)))
    assert response.status_code == 302 and response["Location"] == detail
    with tenant_scope(school.tenant):
        meeting.refresh_from_db()
    assert (meeting.title, meeting.stars, meeting.place, meeting.minutes_taker_id) == (
        "改期的全体会议", 4, "学活 201", school.student_x.pk)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=3)
    # a department head sees no edit link
    client.force_login(school.head)
    assert f'href="{url}"' not in client.get(detail).content.decode()


@pytest.mark.parametrize("changes, message", [
    ({"ends_at": "2020-01-01T08:00"}, "结束时间必须晚于开始时间。"),
    ({"stars": "0"}, None),
])
def test_bad_edits_are_refused_and_change_nothing(client, school, meeting, changes, message):
    client.force_login(school.office)
    url = reverse("attendance:meeting_edit", kwargs={"meeting_id": meeting.pk})
    response = client.post(url, _edit_data(meeting, **changes))
    assert response.status_code == 200 and response.context["form"].errors
    if message:
        assert message in response.content.decode()
    with tenant_scope(school.tenant):
        meeting.refresh_from_db()
    assert (meeting.title, meeting.stars) == ("全体会议", 3)


def test_a_cancelled_meeting_is_not_edited(client, school, meeting):
    with tenant_scope(school.tenant):
        services.meeting_cancel(meeting=meeting, reason="场地冲突", now=timezone.now())
    client.force_login(school.office)
    url = reverse("attendance:meeting_edit", kwargs={"meeting_id": meeting.pk})
    detail = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
    response = client.post(url, _edit_data(meeting), follow=True)
    assert response.redirect_chain[-1][0] == detail and "会议已取消，不能修改。" in response.content.decode()
    assert f'href="{url}"' not in response.content.decode()
    with tenant_scope(school.tenant):
        meeting.refresh_from_db()
    assert meeting.title == "全体会议"
