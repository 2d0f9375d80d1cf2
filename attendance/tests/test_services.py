"""Sessions, marks and leave (AT-1, AT-2): the rules the attendance page relies on."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from attendance import services
from attendance.models import Attendance, AttendanceChange, Audience, LeaveStatus, Meeting, MeetingKind, Status
from attendance.tests.alliance import END, NOW, START, Alliance, plenary
from attendance.tests.factories import SHANGHAI
from members.tests.factories import MembershipFactory
from orgs.models import PolicyValue
from orgs.tenancy import tenant_scope


@pytest.fixture
def alliance(db):
    alliance = Alliance()
    with tenant_scope(alliance.tenant):
        yield alliance


def statuses(meeting):
    return dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))


# --- sessions ---


def test_a_plenary_expects_every_current_member(alliance):
    meeting = plenary(alliance)
    assert set(statuses(meeting)) == {p.pk for p in alliance.members}
    assert set(statuses(meeting).values()) == {Status.UNMARKED}


def test_a_department_meeting_expects_its_department_only(alliance):
    meeting = plenary(alliance, kind=MeetingKind.DEPARTMENT, audience=Audience.DEPARTMENT,
                      department=alliance.publicity, title="宣传部例会")
    assert set(statuses(meeting)) == {p.pk for p in alliance.members[:4]}


def test_chosen_people_must_be_members(alliance):
    stranger = MembershipFactory(tenant=alliance.tenant).person  # a member of another organisation
    with pytest.raises(ValidationError, match="不是本组织的现任成员"):
        plenary(alliance, audience=Audience.CHOSEN, chosen=[alliance.members[0], stranger])
    meeting = plenary(alliance, audience=Audience.CHOSEN, chosen=alliance.members[:2])
    assert set(statuses(meeting)) == {p.pk for p in alliance.members[:2]}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"ends_at": START}, "ends_at"),
    ({"stars": 6}, "stars"),
    ({"kind": MeetingKind.DEPARTMENT, "audience": Audience.DEPARTMENT}, "department"),
])
def test_a_bad_session_is_refused(alliance, kwargs, field):
    with pytest.raises(ValidationError) as error:
        plenary(alliance, **kwargs)
    assert field in error.value.message_dict
    assert not Meeting.objects.exists()


def test_a_weekly_series_runs_to_the_end_of_the_term(alliance):
    series = services.meeting_series_create(
        organisation=alliance.org, department=alliance.publicity, term=alliance.term, title="宣传部例会", stars=2,
        starts_at=dt.datetime(2026, 12, 28, 12, 30, tzinfo=SHANGHAI),
        ends_at=dt.datetime(2026, 12, 28, 13, 0, tzinfo=SHANGHAI), user=alliance.office,
        now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI),
    )
    days = list(Meeting.objects.filter(series=series).order_by("starts_at").values_list("starts_at", flat=True))
    assert [d.astimezone(SHANGHAI).date() for d in days] == [dt.date(2026, 12, 28), dt.date(2027, 1, 4),
                                                            dt.date(2027, 1, 11)]


# --- marks ---


def test_marks_are_saved_and_every_change_is_kept(alliance):
    meeting = plenary(alliance)
    first, second = alliance.members[:2]
    now = START + dt.timedelta(minutes=30)
    services.attendance_mark(meeting=meeting, marks=[{"person": first.pk, "status": Status.PRESENT}],
                             user=alliance.office, now=now)
    services.attendance_mark(meeting=meeting, marks=[{"person": first.pk, "status": Status.LATE, "late_minutes": 5},
                                                     {"person": second.pk, "status": Status.ABSENT}],
                             user=alliance.office, now=now)
    assert statuses(meeting)[first.pk] == Status.LATE
    history = list(AttendanceChange.objects.filter(attendance__person=first).order_by("pk").values_list(
        "old_status", "new_status", "new_late_minutes"))
    assert history == [(Status.UNMARKED, Status.PRESENT, None), (Status.PRESENT, Status.LATE, 5)]


def test_a_double_submit_changes_nothing(alliance):
    meeting = plenary(alliance)
    mark = [{"person": alliance.members[0].pk, "status": Status.ABSENT}]
    for _ in range(2):
        services.attendance_mark(meeting=meeting, marks=mark, user=alliance.office, now=END)
    assert AttendanceChange.objects.count() == 1


def test_a_late_beyond_the_threshold_is_an_absence(alliance):
    meeting = plenary(alliance)
    person = alliance.members[0]
    services.attendance_mark(meeting=meeting, marks=[{"person": person.pk, "status": Status.LATE,
                                                      "late_minutes": 12}], user=alliance.office, now=END)
    row = Attendance.objects.get(meeting=meeting, person=person)
    assert (row.status, row.late_minutes, row.late_as_absence) == (Status.ABSENT, 12, True)
    services.attendance_mark(meeting=meeting, marks=[{"person": person.pk, "status": Status.LATE,
                                                      "late_minutes": 10}], user=alliance.office, now=END)
    row.refresh_from_db()
    assert (row.status, row.late_minutes, row.late_as_absence) == (Status.LATE, 10, False)  # 10 is not "more than"


def test_the_threshold_is_the_schools_policy(alliance):
    PolicyValue.objects.create(tenant=alliance.tenant, key="attendance.late_absence_minutes", value=15,
                               effective_from=dt.date(2026, 9, 1))
    meeting = plenary(alliance)
    services.attendance_mark(meeting=meeting, marks=[{"person": alliance.members[0].pk, "status": Status.LATE,
                                                      "late_minutes": 12}], user=alliance.office, now=END)
    assert statuses(meeting)[alliance.members[0].pk] == Status.LATE


@pytest.mark.parametrize(("mark", "now", "message"), [
    ({"status": Status.LATE, "late_minutes": -3}, END, "不能为负数"),
    ({"status": Status.LATE, "late_minutes": None}, END, "须填写分钟数"),
    ({"status": Status.LATE, "late_minutes": 40}, START + dt.timedelta(minutes=20), "不能晚于现在"),
    ({"status": Status.PRESENT}, START - dt.timedelta(hours=1), "尚未开始"),
    ({"status": "asleep"}, END, "未知的考勤状态"),
])
def test_a_bad_mark_changes_nothing(alliance, mark, now, message):
    meeting = plenary(alliance)
    good = {"person": alliance.members[1].pk, "status": Status.ABSENT}
    with pytest.raises(ValidationError, match=message):
        services.attendance_mark(meeting=meeting, marks=[good, {"person": alliance.members[0].pk, **mark}],
                                 user=alliance.office, now=now)
    assert set(statuses(meeting).values()) == {Status.UNMARKED} and not AttendanceChange.objects.exists()


def test_a_mark_for_someone_not_expected_is_refused(alliance):
    meeting = plenary(alliance, audience=Audience.CHOSEN, chosen=alliance.members[:1])
    with pytest.raises(ValidationError, match="不是本次会议的应到人员"):
        services.attendance_mark(meeting=meeting, marks=[{"person": alliance.members[1].pk,
                                                          "status": Status.ABSENT}], user=alliance.office, now=END)


def test_a_cancelled_meeting_takes_no_marks(alliance):
    meeting = plenary(alliance)
    services.meeting_cancel(meeting=meeting, reason="场地冲突", now=START - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="会议已取消"):
        services.attendance_all_present(meeting=meeting, user=alliance.office, now=END)


def test_all_present_then_exceptions(alliance):
    meeting = plenary(alliance)
    services.attendance_mark(meeting=meeting, marks=[{"person": alliance.members[0].pk, "status": Status.ABSENT}],
                             user=alliance.office, now=END)
    assert services.attendance_all_present(meeting=meeting, user=alliance.office, now=END) == 5
    assert sorted(statuses(meeting).values()) == [Status.ABSENT] + [Status.PRESENT] * 5


# --- leave ---


def test_a_member_asks_for_leave_before_the_meeting_and_the_office_approves(alliance):
    meeting = plenary(alliance)
    row = Attendance.objects.get(meeting=meeting, person=alliance.members[0])
    leave = services.leave_request_create(attendance=row, reason="实验课", user=alliance.member_user,
                                          now=START - dt.timedelta(days=1))
    services.leave_request_decide(leave=leave, approve=True, user=alliance.office, now=START - dt.timedelta(hours=2))
    row.refresh_from_db()
    assert row.status == Status.LEAVE
    with pytest.raises(ValidationError, match="已经审批过"):
        services.leave_request_decide(leave=leave, approve=False, user=alliance.office, now=START)


@pytest.mark.parametrize(("who", "now", "message"), [
    ("member", START + dt.timedelta(minutes=1), "会议已经开始"),
    ("office", START - dt.timedelta(days=1), "只能为自己请假"),
])
def test_a_bad_leave_request_is_refused(alliance, who, now, message):
    meeting = plenary(alliance)
    row = Attendance.objects.get(meeting=meeting, person=alliance.members[0])
    user = alliance.member_user if who == "member" else alliance.office
    with pytest.raises(ValidationError, match=message):
        services.leave_request_create(attendance=row, reason="实验课", user=user, now=now)
    assert not row.leave_requests.exists()


def test_a_refused_leave_leaves_the_mark_alone(alliance):
    meeting = plenary(alliance)
    row = Attendance.objects.get(meeting=meeting, person=alliance.members[0])
    leave = services.leave_request_create(attendance=row, reason="睡过头", user=alliance.member_user,
                                          now=START - dt.timedelta(hours=3))
    services.leave_request_decide(leave=leave, approve=False, user=alliance.office, now=START - dt.timedelta(hours=1),
                                  answer="理由不充分")
    row.refresh_from_db()
    leave.refresh_from_db()
    assert (row.status, leave.status, leave.answer) == (Status.UNMARKED, LeaveStatus.REFUSED, "理由不充分")


# --- editing a session (AT-1) ---


def _edit(meeting, **changes):
    fields = dict(title=meeting.title, stars=meeting.stars, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                  place=meeting.place, minutes_taker=meeting.minutes_taker)
    return services.meeting_update(meeting=meeting, now=NOW, **{**fields, **changes})


def test_a_meeting_is_edited_but_keeps_its_expected_attendees(alliance):
    meeting = plenary(alliance)
    before = statuses(meeting)
    later = START + dt.timedelta(days=1)
    _edit(meeting, title="第二次全体会议", stars=5, starts_at=later, ends_at=later + dt.timedelta(hours=1),
          place="学活 201", minutes_taker=alliance.members[1])
    meeting.refresh_from_db()
    assert (meeting.title, meeting.stars, meeting.starts_at, meeting.place, meeting.minutes_taker) == (
        "第二次全体会议", 5, later, "学活 201", alliance.members[1])
    assert meeting.audience == Audience.ORGANISATION and statuses(meeting) == before
    _edit(meeting, minutes_taker=None)
    meeting.refresh_from_db()
    assert meeting.minutes_taker is None


@pytest.mark.parametrize("changes, field", [
    ({"ends_at": START - dt.timedelta(minutes=1)}, "ends_at"),
    ({"ends_at": START}, "ends_at"),
    ({"stars": 0}, "stars"),
    ({"stars": 6}, "stars"),
    ({"title": "  "}, "title"),
])
def test_bad_edits_change_nothing(alliance, changes, field):
    meeting = plenary(alliance)
    with pytest.raises(ValidationError) as error:
        _edit(meeting, **changes)
    assert field in error.value.message_dict
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.title, stored.stars, stored.ends_at) == ("全体会议", 3, END)


def test_the_minutes_taker_must_be_expected(alliance):
    meeting = plenary(alliance, audience=Audience.DEPARTMENT, kind=MeetingKind.DEPARTMENT,
                      department=alliance.publicity)
    with pytest.raises(ValidationError) as error:
        _edit(meeting, minutes_taker=alliance.members[-1])  # of the office department, not expected
    assert "会议记录人须为本次会议的应到人员。" in error.value.messages
    assert Meeting.objects.get(pk=meeting.pk).minutes_taker is None


def test_a_cancelled_meeting_cannot_be_edited(alliance):
    meeting = plenary(alliance)
    services.meeting_cancel(meeting=meeting, reason="场地冲突", now=START - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="会议已取消，不能修改。"):
        _edit(meeting, title="改名")
    assert Meeting.objects.get(pk=meeting.pk).title == "全体会议"
