"""Attendance's duties (attendance/duties.py; SPEC DS-1 with AT-2, AT-3, AT-5): due dates across month ends,
February, New Year and a term boundary; done or not; cancelled tasks and sessions; people without accounts; a
fixed number of queries whatever the size of the school; and the scan end to end — each reminder once, a done
item never, no leave reason in any text."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from attendance import duties
from attendance.models import Audience, LeaveRequest, LeaveStatus, MeetingKind, Status
from attendance.tests.factories import (
    SHANGHAI,
    AttendanceFactory,
    LeaveRequestFactory,
    MeetingFactory,
    TaskAssignmentFactory,
    TaskFactory,
)
from duties.models import Notification, Reminder
from duties.registry import REGISTRY, Context
from duties.selectors import todo_for
from duties.services import duties_scan, scan_context
from members.models import Role, User
from members.tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.models import OrganisationKind, PolicyValue, Tenant
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, TenantFactory, TermFactory

pytestmark = pytest.mark.django_db

REASON = "胃病复诊"  # a leave reason: a health matter, never in a text


def at(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def collect(key, tenant, now):
    return list(REGISTRY[key].collect(scan_context(tenant=tenant, now=now)))


def by_subject(items):
    return {(i.subject, i.period): i for i in items}


@pytest.fixture
def tenant(db):
    tenant = TenantFactory()
    with tenant_scope(tenant):
        yield tenant


def organisation(tenant, name="朋辈互助联盟", kind=OrganisationKind.ALLIANCE):
    org = OrganisationFactory(tenant=tenant, name=name, kind=kind)
    office = RoleAssignmentFactory(tenant=tenant, role=Role.OFFICE, organisation=org).user
    president = RoleAssignmentFactory(tenant=tenant, role=Role.PRESIDENT, organisation=org).user
    dept = DepartmentFactory(tenant=tenant, organisation=org, name=f"{name}宣传部")
    return SimpleNamespace(org=org, office=office, president=president, dept=dept)


def session(o, starts_at, *, kind=MeetingKind.DEPARTMENT, marks=(Status.PRESENT,), cancelled=False, title=None):
    """A session of ``o`` with one row per mark."""
    meeting = MeetingFactory(
        tenant=o.org.tenant, organisation=o.org, kind=kind, title=title or f"{o.dept.name}例会", starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1), department=o.dept if kind != MeetingKind.PLENARY else None,
        audience=Audience.DEPARTMENT if kind != MeetingKind.PLENARY else Audience.ORGANISATION,
        cancelled_at=starts_at - dt.timedelta(days=1) if cancelled else None)
    rows = [AttendanceFactory(tenant=o.org.tenant, meeting=meeting, status=mark) for mark in marks]
    return meeting, rows


# --- AT-3: due dates ---


@pytest.mark.parametrize(("year", "month", "due"), [
    (2026, 11, at(2026, 11, 30, 23, 59, 59)),  # a 30-day month
    (2027, 1, at(2027, 1, 31, 23, 59, 59)),  # a 31-day month
    (2027, 2, at(2027, 2, 28, 23, 59, 59)),  # February, 28 days
    (2028, 2, at(2028, 2, 29, 23, 59, 59)),  # February of a leap year
    (2027, 12, at(2027, 12, 31, 23, 59, 59)),  # New Year's Eve
])
def test_the_month_is_due_on_its_last_day_at_235959_school_time(year, month, due):
    first = dt.date(year, month, 1)
    ctx = Context(tenant=None, now=due, since=due - dt.timedelta(days=20), until=due + dt.timedelta(days=20))
    assert duties.sheet_months(ctx, 31) == [(first, due)]
    assert due.utcoffset() == dt.timedelta(hours=8)
    # a second before and after the window's edges
    edge = Context(tenant=None, now=due, since=due + dt.timedelta(seconds=1), until=due + dt.timedelta(days=20))
    assert duties.sheet_months(edge, 31) == []
    edge = Context(tenant=None, now=due, since=due - dt.timedelta(days=20), until=due - dt.timedelta(seconds=1))
    assert duties.sheet_months(edge, 31) == []


def test_a_window_across_new_year_holds_december_and_the_policy_day_is_capped_in_february():
    now = at(2028, 1, 20, 9)
    ctx = Context(tenant=None, now=now, since=now - dt.timedelta(days=60), until=now + dt.timedelta(days=45))
    assert duties.sheet_months(ctx, 31) == [(dt.date(2027, 11, 1), at(2027, 11, 30, 23, 59, 59)),
                                            (dt.date(2027, 12, 1), at(2027, 12, 31, 23, 59, 59)),
                                            (dt.date(2028, 1, 1), at(2028, 1, 31, 23, 59, 59)),
                                            (dt.date(2028, 2, 1), at(2028, 2, 29, 23, 59, 59))]
    assert [due for _first, due in duties.sheet_months(ctx, 30)][-1] == at(2028, 2, 29, 23, 59, 59)
    assert [due for _first, due in duties.sheet_months(ctx, 25)][-1] == at(2028, 2, 25, 23, 59, 59)


def test_december_is_due_on_new_years_eve_and_reminded_to_the_office(tenant):
    o = organisation(tenant)
    session(o, at(2027, 12, 14, 19), marks=(Status.PRESENT, Status.UNMARKED))
    items = by_subject(collect("attendance.monthly_sheet", tenant, at(2027, 12, 29, 10)))
    item = items[(f"organisation:{o.org.pk}", "2027-12")]
    assert item.due_at == dt.datetime(2027, 12, 31, 15, 59, 59, tzinfo=dt.UTC)  # 23:59:59 +08:00
    assert (item.responsible, item.above, item.done) == ({o.office.pk}, {o.president.pk}, False)
    assert item.scope == "朋辈互助联盟" and item.text == "朋辈互助联盟 2027年12月考勤"
    assert item.url == f"/attendance/monthly/?organisation={o.org.pk}&month=2027-12"
    # November's was due 29 days ago: still in the window (overdue lookback), and complete (no session)
    assert items[(f"organisation:{o.org.pk}", "2027-11")].done
    # on 2 January the December sheet is overdue; January's is not yet in the window
    later = by_subject(collect("attendance.monthly_sheet", tenant, at(2028, 1, 2, 8)))
    assert set(later) == {(f"organisation:{o.org.pk}", "2027-12")}


def test_february_is_due_on_the_28th_or_the_29th(tenant):
    o = organisation(tenant)
    key = f"organisation:{o.org.pk}"
    assert by_subject(collect("attendance.monthly_sheet", tenant, at(2027, 2, 27)))[key, "2027-02"].due_at == at(
        2027, 2, 28, 23, 59, 59)
    assert by_subject(collect("attendance.monthly_sheet", tenant, at(2028, 2, 27)))[key, "2028-02"].due_at == at(
        2028, 2, 29, 23, 59, 59)


def test_a_tenant_policy_moves_the_day(tenant):
    o = organisation(tenant)
    PolicyValue.objects.create(tenant=tenant, key="attendance.monthly_sheet_due_day", value=25,
                               effective_from=dt.date(2020, 1, 1))
    items = by_subject(collect("attendance.monthly_sheet", tenant, at(2027, 2, 23)))
    assert items[f"organisation:{o.org.pk}", "2027-02"].due_at == at(2027, 2, 25, 23, 59, 59)


# --- AT-3: complete or not ---


def test_the_sheet_is_complete_when_every_started_session_of_its_sheets_is_marked(tenant):
    o = organisation(tenant)
    other = organisation(tenant, name="另一个联盟")
    union = organisation(tenant, name="校学生会", kind=OrganisationKind.SCHOOL_UNION)
    now = at(2026, 11, 28, 12)

    def done():
        items = by_subject(collect("attendance.monthly_sheet", tenant, now))
        assert not any(i.subject == f"organisation:{union.org.pk}" for i in items.values())  # not an alliance
        return items[f"organisation:{o.org.pk}", "2026-11"].done, items[f"organisation:{other.org.pk}", "2026-11"].done

    assert done() == (True, True)  # nothing to collect
    _meeting, (row,) = session(o, at(2026, 11, 10, 19), marks=(Status.UNMARKED,))
    session(o, at(2026, 11, 12, 19), marks=(Status.UNMARKED,), cancelled=True)  # cancelled: not on the sheet
    session(o, at(2026, 11, 13, 19), kind=MeetingKind.ACTIVITY, marks=(Status.UNMARKED,))  # on no monthly sheet
    session(o, at(2026, 11, 29, 19), marks=(Status.UNMARKED,))  # has not started yet
    session(o, at(2026, 12, 1, 19), marks=(Status.UNMARKED,))  # next month
    session(o, at(2026, 10, 31, 23, 30), marks=(Status.UNMARKED,))  # October, school time (15:30 UTC)
    assert done() == (False, True)
    row.status = Status.ABSENT
    row.save()
    assert done() == (True, True)
    session(o, at(2026, 11, 20, 19), kind=MeetingKind.PLENARY, marks=(Status.PRESENT, Status.UNMARKED))
    session(o, at(2026, 11, 21, 18), kind=MeetingKind.DUTY, marks=(Status.LEAVE,))
    assert done() == (False, True)
    items = by_subject(collect("attendance.monthly_sheet", tenant, now))
    assert not items[f"organisation:{o.org.pk}", "2026-10"].done  # the session at 23:30 on 31 October


def test_a_month_straddling_two_terms_is_one_sheet_due_at_its_end(tenant):
    TermFactory(tenant=tenant, start=dt.date(2026, 9, 7), end=dt.date(2027, 1, 17))
    TermFactory(tenant=tenant, start=dt.date(2027, 1, 25), end=dt.date(2027, 6, 27))
    o = organisation(tenant)
    _m, (early,) = session(o, at(2027, 1, 12, 19), marks=(Status.UNMARKED,))  # the autumn term's last week
    session(o, at(2027, 1, 26, 19), marks=(Status.PRESENT,))  # the spring term's first week
    items = [i for i in collect("attendance.monthly_sheet", tenant, at(2027, 1, 30)) if i.period == "2027-01"]
    assert [(i.due_at, i.done) for i in items] == [(at(2027, 1, 31, 23, 59, 59), False)]
    early.status = Status.PRESENT
    early.save()
    _m, (late,) = session(o, at(2027, 1, 27, 19), marks=(Status.UNMARKED,))
    assert [i.done for i in collect("attendance.monthly_sheet", tenant, at(2027, 1, 30)) if i.period == "2027-01"] == [
        False]
    late.status = Status.PRESENT
    late.save()
    assert [i.done for i in collect("attendance.monthly_sheet", tenant, at(2027, 1, 30)) if i.period == "2027-01"] == [
        True]


# --- AT-5: tasks ---


def test_each_assignee_submits_by_the_deadline_and_the_office_is_above(tenant):
    o = organisation(tenant)
    deadline = at(2026, 11, 30, 22)
    task = TaskFactory(tenant=tenant, organisation=o.org, title="整理十一月会议记录", deadline=deadline,
                       created_at=at(2026, 11, 20))
    member = UserFactory(tenant=tenant)
    open_ = TaskAssignmentFactory(tenant=tenant, task=task, person=member.person)
    acknowledged = TaskAssignmentFactory(tenant=tenant, task=task, acknowledged_at=at(2026, 11, 21))
    UserFactory(tenant=tenant, person=acknowledged.person)
    submitted = TaskAssignmentFactory(tenant=tenant, task=task, acknowledged_at=at(2026, 11, 21),
                                      submitted_at=at(2026, 11, 22))
    UserFactory(tenant=tenant, person=submitted.person)
    no_account = TaskAssignmentFactory(tenant=tenant, task=task, person=PersonFactory(tenant=tenant, name="李无号"))
    inactive = TaskAssignmentFactory(tenant=tenant, task=task)
    UserFactory(tenant=tenant, person=inactive.person, is_active=False)
    cancelled = TaskFactory(tenant=tenant, organisation=o.org, deadline=deadline, created_at=at(2026, 11, 20),
                            cancelled_at=at(2026, 11, 25))
    TaskAssignmentFactory(tenant=tenant, task=cancelled, person=member.person)
    later = TaskFactory(tenant=tenant, organisation=o.org, deadline=at(2026, 12, 20), created_at=at(2026, 11, 20))
    TaskAssignmentFactory(tenant=tenant, task=later, person=member.person)  # not in the window yet

    items = by_subject(collect("attendance.task_submit", tenant, at(2026, 11, 28)))
    assert set(items) == {(f"assignment:{a.pk}", "2026-11-30")
                          for a in (open_, acknowledged, submitted, no_account, inactive)}
    first = items[f"assignment:{open_.pk}", "2026-11-30"]
    assert (first.due_at, first.responsible, first.above, first.done) == (deadline, {member.pk}, {o.office.pk},
                                                                          False)
    assert first.text == "任务「整理十一月会议记录」（尚未答收到）"  # never the assignee's name
    assert first.url == "/attendance/me/#tasks" and first.scope == "朋辈互助联盟"
    assert items[f"assignment:{acknowledged.pk}", "2026-11-30"].text == "任务「整理十一月会议记录」"
    assert items[f"assignment:{submitted.pk}", "2026-11-30"].done
    # no account (or a disabled one): nobody to remind, still counted, and the office hears when it is late
    for row in (no_account, inactive):
        item = items[f"assignment:{row.pk}", "2026-11-30"]
        assert (item.responsible, item.above, item.done) == (frozenset(), {o.office.pk}, False)


@pytest.mark.parametrize(("deadline", "period"), [
    (at(2027, 1, 1, 0, 30), "2027-01-01"),  # New Year's Day school time, still 31 December in UTC
    (at(2027, 12, 31, 23, 59, 59), "2027-12-31"),
    (at(2027, 2, 28, 23, 59, 59), "2027-02-28"),
    (at(2028, 2, 29, 12), "2028-02-29"),
    (at(2026, 11, 30, 23, 59), "2026-11-30"),
])
def test_a_task_is_due_at_its_deadline_and_its_period_is_the_school_date(tenant, deadline, period):
    o = organisation(tenant)
    task = TaskFactory(tenant=tenant, organisation=o.org, deadline=deadline,
                       created_at=deadline - dt.timedelta(days=10))
    row = TaskAssignmentFactory(tenant=tenant, task=task)
    (item,) = collect("attendance.task_submit", tenant, deadline - dt.timedelta(days=2))
    assert (item.subject, item.period, item.due_at) == (f"assignment:{row.pk}", period, deadline)
    (item,) = collect("attendance.task_submit", tenant, deadline + dt.timedelta(days=2))  # overdue: still listed
    assert not item.done


# --- AT-2: leave requests ---


def test_pending_leave_requests_are_decided_before_the_session_and_the_text_keeps_the_reason_out(tenant):
    o = organisation(tenant)
    starts = at(2026, 12, 1, 19)
    plenary, rows = session(o, starts, kind=MeetingKind.PLENARY, title="第13周全体会议",
                            marks=(Status.UNMARKED,) * 4)
    first = LeaveRequestFactory(tenant=tenant, attendance=rows[0], reason=REASON)
    LeaveRequestFactory(tenant=tenant, attendance=rows[1], reason=REASON)
    LeaveRequestFactory(tenant=tenant, attendance=rows[2], reason="另有安排", status=LeaveStatus.REFUSED)
    cancelled, cancelled_rows = session(o, starts, title="取消的例会", marks=(Status.UNMARKED,), cancelled=True)
    LeaveRequestFactory(tenant=tenant, attendance=cancelled_rows[0], reason=REASON)

    (item,) = collect("attendance.leave_decide", tenant, at(2026, 11, 29, 9))
    assert (item.subject, item.period, item.due_at) == (f"meeting:{plenary.pk}", "2026-12-01", starts)
    assert (item.responsible, item.above, item.done) == ({o.office.pk}, {o.president.pk}, False)
    assert item.text == "2 条请假申请待审批：第13周全体会议 12月1日"
    assert item.url == "/attendance/leave/" and item.scope == "朋辈互助联盟"
    assert REASON not in item.text and rows[0].person.name not in item.text

    first.status = LeaveStatus.APPROVED
    first.save()
    assert collect("attendance.leave_decide", tenant, at(2026, 11, 29, 9))[0].text.startswith("1 条请假申请待审批")
    LeaveRequest.objects.filter(status=LeaveStatus.PENDING).update(status=LeaveStatus.REFUSED)
    (item,) = collect("attendance.leave_decide", tenant, at(2026, 11, 29, 9))
    assert item.done


# --- a fixed number of queries ---


def world(tenant, k):
    """``k`` alliance organisations, each with ``2k`` members (every other one with an account), an office and a
    president; sessions in two months with unmarked rows, a task for every member, and pending leave requests."""
    for n in range(k):
        o = organisation(tenant, name=f"联盟{n}")
        people = [PersonFactory(tenant=tenant) for _ in range(2 * k)]
        for i, person in enumerate(people):
            if i % 2 == 0:
                UserFactory(tenant=tenant, person=person)
        for month, day in ((10, 20), (11, 10), (11, 24)):
            meeting = MeetingFactory(tenant=tenant, organisation=o.org, kind=MeetingKind.PLENARY,
                                     starts_at=at(2026, month, day, 19), ends_at=at(2026, month, day, 21))
            for i, person in enumerate(people):
                AttendanceFactory(tenant=tenant, meeting=meeting, person=person,
                                  status=Status.UNMARKED if i == n else Status.PRESENT)
        task = TaskFactory(tenant=tenant, organisation=o.org, deadline=at(2026, 11, 30, 22),
                           created_at=at(2026, 11, 20))
        for person in people:
            TaskAssignmentFactory(tenant=tenant, task=task, person=person)
        upcoming, rows = session(o, at(2026, 12, 1, 19), kind=MeetingKind.PLENARY, marks=(Status.UNMARKED,) * k)
        for row in rows:
            LeaveRequestFactory(tenant=tenant, attendance=row)


@pytest.mark.parametrize(("key", "queries"), [
    ("attendance.monthly_sheet", 3),  # the organisations, the unmarked rows, the role holders (its policy was
    # read with all the others when the context was made: orgs.selectors.policy_values)
    ("attendance.task_submit", 2),  # the assignments with their people's accounts, the role holders
    ("attendance.leave_decide", 2),  # the requests counted per session, the role holders
])
def test_each_collect_runs_a_fixed_number_of_queries(django_assert_num_queries, key, queries):
    counts = []
    for k in (1, 3):
        tenant = TenantFactory()
        with tenant_scope(tenant):
            world(tenant, k)
            ctx = scan_context(tenant=tenant, now=at(2026, 11, 29, 9))
            with django_assert_num_queries(queries):
                counts.append(len(list(REGISTRY[key].collect(ctx))))
    assert counts[1] > counts[0] > 0


# --- the scan, end to end ---


def test_the_scan_reminds_each_person_once_never_a_done_item_and_never_a_leave_reason(tenant):
    o = organisation(tenant)
    member = UserFactory(tenant=tenant)
    done_member = UserFactory(tenant=tenant)
    task = TaskFactory(tenant=tenant, organisation=o.org, title="提交活动方案", deadline=at(2026, 11, 30, 22),
                       created_at=at(2026, 11, 20))
    mine = TaskAssignmentFactory(tenant=tenant, task=task, person=member.person)
    TaskAssignmentFactory(tenant=tenant, task=task, person=done_member.person, submitted_at=at(2026, 11, 26))
    TaskAssignmentFactory(tenant=tenant, task=task, person=PersonFactory(tenant=tenant))  # no account
    _plenary, rows = session(o, at(2026, 12, 1, 19), kind=MeetingKind.PLENARY, title="第13周全体会议",
                             marks=(Status.UNMARKED,))
    LeaveRequestFactory(tenant=tenant, attendance=rows[0], reason=REASON)
    session(o, at(2026, 11, 10, 19), marks=(Status.UNMARKED,))

    now = at(2026, 11, 29, 9)  # a day and a half before the task, two before the session and the month's end
    first = duties_scan(tenant=tenant, now=now)
    assert duties_scan(tenant=tenant, now=now + dt.timedelta(minutes=5)).notified == 0
    mine_ = Notification.objects.filter(duty__startswith="attendance.")
    assert first.notified >= 3
    assert sorted(mine_.values_list("duty", "user_id")) == sorted([
        ("attendance.leave_decide", o.office.pk), ("attendance.monthly_sheet", o.office.pk),
        ("attendance.task_submit", member.pk)])
    assert not Reminder.objects.filter(user=done_member).exists()

    # past the deadline: the member and the office above; the one without an account only to the office —
    # both late assignees in one notice to the office (the engine's roll-up)
    late = at(2026, 12, 2, 9)
    duties_scan(tenant=tenant, now=late)
    duties_scan(tenant=tenant, now=late + dt.timedelta(minutes=5))
    task_notes = mine_.filter(duty="attendance.task_submit")
    assert sorted(task_notes.values_list("user_id", "title")) == sorted([
        (member.pk, "即将到期：答收到并提交任务"), (member.pk, "已逾期：答收到并提交任务"),
        (o.office.pk, "下属事项逾期：答收到并提交任务")])
    office_note = task_notes.get(user=o.office)
    assert office_note.body.startswith("2 项已逾期") and office_note.url == f"/attendance/tasks/{task.pk}/"
    assert Reminder.objects.filter(duty="attendance.task_submit", subject=f"assignment:{mine.pk}").count() == 3
    assert not Notification.objects.filter(user=done_member).exists()
    # the leave request became overdue at the session's start: office and president told once each
    leave_notes = mine_.filter(duty="attendance.leave_decide")
    assert sorted(leave_notes.values_list("user_id", "title")) == sorted([
        (o.office.pk, "即将到期：审批请假申请"), (o.office.pk, "已逾期：审批请假申请"),
        (o.president.pk, "下属事项逾期：审批请假申请")])
    for note in Notification.objects.all():
        assert REASON not in note.title + note.body and rows[0].person.name not in note.title + note.body
    assert "1 条请假申请待审批：第13周全体会议 12月1日" in leave_notes.first().body


def test_a_task_submitted_before_its_reminder_is_never_reminded(tenant):
    o = organisation(tenant)
    member = UserFactory(tenant=tenant)
    task = TaskFactory(tenant=tenant, organisation=o.org, deadline=at(2026, 11, 30, 22), created_at=at(2026, 11, 20))
    row = TaskAssignmentFactory(tenant=tenant, task=task, person=member.person)
    row.submitted_at = at(2026, 11, 28)
    row.save()
    for hours in (0, 24, 48, 96):
        duties_scan(tenant=tenant, now=at(2026, 11, 28, 9) + dt.timedelta(hours=hours))
    assert not Reminder.objects.filter(duty="attendance.task_submit").exists()
    assert not Notification.objects.filter(duty="attendance.task_submit").exists()


# --- the demo ---


def test_the_demo_leaves_the_office_the_president_and_a_member_real_work():
    call_command("seed_demo", quiet=True, force_known_password=True)
    with scopes_disabled():
        tenant = Tenant.objects.get(slug="hut")
        office, president, officer = (User.objects.select_related("tenant").get(username=name)
                                      for name in ("hut_office", "hut_president", "hut_officer"))
    now = timezone.now()
    with tenant_scope(tenant):
        def duties_of(groups):
            return {group.duty.key for group in groups}

        todo = todo_for(office, now=now)
        assert "attendance.monthly_sheet" in duties_of(todo.overdue)  # last month: one row never recorded
        assert "attendance.leave_decide" in duties_of(todo.due_soon)  # hut_officer's request, plenary in 2 days
        assert "attendance.monthly_sheet" in duties_of(todo_for(president, now=now).below)
        assert "attendance.task_submit" in duties_of(todo_for(officer, now=now).due_soon)  # due in 2 days
