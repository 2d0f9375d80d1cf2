"""Attendance's duties (SPEC DS-1 with AT-2, AT-3, AT-5; docs/attendance.md "Duties"), found by
``duties.registry.discover()``:

* ``attendance.monthly_sheet`` — the office of each alliance organisation collects the month's attendance: the
  month's sheets are complete (no unmarked row at a session of the sheets that has started) by the policy's day
  of the month, 23:59:59 school time (default: the last day). Above: the organisation's president(s).
* ``attendance.task_submit`` — each assignee of a task that is not cancelled acknowledges and submits by its
  deadline; done once submitted. Above: the office of the task's organisation (it sees who is late).
* ``attendance.leave_decide`` — the pending leave requests of a session are decided by the office of its
  organisation before it starts. One item per session; its text counts the requests, never their reasons.

Each ``collect`` reads in a fixed number of queries whatever the size of the school: the items in bulk
(``values``), the people through ``ctx.holders``.
"""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import Attendance, LeaveRequest, LeaveStatus, MeetingKind, Status, TaskAssignment
from attendance.policies import MONTHLY_SHEET_DUE_DAY
from attendance.selectors.meetings import month_bounds
from duties.registry import Context, Due, Duty, register
from members.models import Role
from orgs.calendar import day_of_month_capped, due_at, local_date, school_tz
from orgs.models import Organisation, OrganisationKind

MODULE = "alliance"

#: The sessions of a month's sheets (``selectors.meetings.monthly_sheet``): plenaries, and the regular meetings
#: and duty shifts of a department. Other meetings and activities are on no monthly sheet.
SHEET_SESSIONS = Q(meeting__kind=MeetingKind.PLENARY) | Q(
    meeting__kind__in=[MeetingKind.DEPARTMENT, MeetingKind.DUTY], meeting__department__isnull=False)


def _day_text(moment: dt.datetime) -> str:
    local = moment.astimezone(school_tz())
    return _("%(month)s月%(day)s日") % {"month": local.month, "day": local.day}


# --- AT-3: the monthly sheet ---


def sheet_months(ctx: Context, due_day: int) -> list[tuple[dt.date, dt.datetime]]:
    """(first day, due time) of the months whose due time lies in the context's window, oldest first."""
    since, until = local_date(ctx.since), local_date(ctx.until)
    year, month, months = since.year, since.month, []
    while (year, month) <= (until.year, until.month):
        due = due_at(day_of_month_capped(year, month, due_day))
        if ctx.covers(due):
            months.append((dt.date(year, month, 1), due))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def incomplete_sheets(*, tenant, first: dt.date, last: dt.date, now: dt.datetime) -> set[tuple[int, dt.date]]:
    """(organisation id, first day of month) of the alliance organisations' months from ``first`` to ``last``
    whose sheets have an unmarked row at a session (not cancelled) that started by ``now``. One aggregate
    query."""
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    rows = (Attendance.objects.filter(
        tenant=tenant, status=Status.UNMARKED, meeting__organisation__kind=OrganisationKind.ALLIANCE,
        meeting__cancelled_at__isnull=True, meeting__starts_at__gte=start, meeting__starts_at__lt=end,
        meeting__starts_at__lte=now,
    ).filter(SHEET_SESSIONS).annotate(month=TruncMonth("meeting__starts_at", tzinfo=school_tz()))
        .values("meeting__organisation_id", "month").annotate(n=Count("pk")).order_by())
    return {(row["meeting__organisation_id"], local_date(row["month"]).replace(day=1)) for row in rows}


def _collect_monthly_sheet(ctx: Context):
    months = sheet_months(ctx, ctx.policy(MONTHLY_SHEET_DUE_DAY.key))
    if not months:
        return
    organisations = list(Organisation.objects.filter(tenant=ctx.tenant, kind=OrganisationKind.ALLIANCE)
                         .order_by("pk").values_list("pk", "name"))
    if not organisations:
        return
    incomplete = incomplete_sheets(tenant=ctx.tenant, first=months[0][0], last=months[-1][0], now=ctx.now)
    page = reverse("attendance:monthly")
    for org_id, name in organisations:
        office, presidents = (ctx.holders.of(Role.OFFICE, organisation=org_id),
                              ctx.holders.of(Role.PRESIDENT, organisation=org_id))
        for first, due in months:
            period = f"{first:%Y-%m}"
            yield Due(
                duty="attendance.monthly_sheet", subject=f"organisation:{org_id}", period=period, due_at=due,
                responsible=office, above=presidents,
                url=page + "?" + urlencode({"organisation": org_id, "month": period}),
                text=_("%(organisation)s %(year)s年%(month)s月考勤") % {
                    "organisation": name, "year": first.year, "month": first.month},
                scope=name, done=(org_id, first) not in incomplete)


MONTHLY_SHEET = register(Duty(
    key="attendance.monthly_sheet", label=gettext_lazy("收齐本月考勤"),
    rule=gettext_lazy("每月最后一天 23:59 前（日期可在学校政策中设置）：本月已开始的会议、值班都已记录考勤"),
    who=gettext_lazy("组织办公室"), above=gettext_lazy("主席团/总部长"), collect=_collect_monthly_sheet,
    module=MODULE, policies=(MONTHLY_SHEET_DUE_DAY.key,),
))


# --- AT-5: tasks ---


def _collect_task_submit(ctx: Context):
    """One item per assignee of a task not cancelled whose deadline lies in the window. An assignee without an
    active account cannot be reminded: the item has no responsible person but is still counted, and when it is
    overdue the office above hears of it (it can chase them in person)."""
    rows = TaskAssignment.objects.filter(
        tenant=ctx.tenant, task__cancelled_at__isnull=True, task__deadline__gte=ctx.since,
        task__deadline__lte=ctx.until,
    ).order_by("task__deadline", "pk").values_list(
        "pk", "task_id", "task__title", "task__deadline", "task__organisation_id", "task__organisation__name",
        "person__user__id", "person__user__is_active", "acknowledged_at", "submitted_at")
    page = reverse("attendance:my_attendance") + "#tasks"
    # The text names the task, never the assignee: a notice is a person's, and a name in it is one the checks of
    # sensitive records (members/sensitive.py) would have to clear; the task's page lists who is late.
    acknowledged_text, unacknowledged_text = _("任务「%(title)s」"), _("任务「%(title)s」（尚未答收到）")
    for pk, task_id, title, deadline, org_id, org_name, user_id, active, acknowledged, submitted in rows:
        words = {"title": title}
        yield Due(
            duty="attendance.task_submit", subject=f"assignment:{pk}", period=f"{local_date(deadline):%Y-%m-%d}",
            due_at=deadline, responsible=frozenset({user_id}) if user_id is not None and active else frozenset(),
            above=ctx.holders.of(Role.OFFICE, organisation=org_id), url=page,
            above_url=reverse("attendance:task_detail", args=[task_id]),
            text=(acknowledged_text if acknowledged or submitted else unacknowledged_text) % words,
            scope=org_name, done=submitted is not None)


TASK_SUBMIT = register(Duty(
    key="attendance.task_submit", label=gettext_lazy("答收到并提交任务"),
    rule=gettext_lazy("任务截止时间前提交（已取消的任务不计）"),
    who=gettext_lazy("任务的每位承办人"), above=gettext_lazy("布置任务的组织办公室"),
    collect=_collect_task_submit, module=MODULE,
))


# --- AT-2: leave requests ---


def _collect_leave_decide(ctx: Context):
    """One item per session (not cancelled, starting in the window) with leave requests: done when none is
    pending. The text counts the pending requests and names the session — never a requester or a reason."""
    rows = LeaveRequest.objects.filter(
        tenant=ctx.tenant, attendance__meeting__cancelled_at__isnull=True,
        attendance__meeting__starts_at__gte=ctx.since, attendance__meeting__starts_at__lte=ctx.until,
    ).values(
        "attendance__meeting_id", "attendance__meeting__title", "attendance__meeting__starts_at",
        "attendance__meeting__organisation_id", "attendance__meeting__organisation__name",
    ).annotate(pending=Count("pk", filter=Q(status=LeaveStatus.PENDING))).order_by(
        "attendance__meeting__starts_at", "attendance__meeting_id")
    page = reverse("attendance:leave_list")
    for row in rows:
        org_id, starts_at = row["attendance__meeting__organisation_id"], row["attendance__meeting__starts_at"]
        words = {"n": row["pending"], "meeting": row["attendance__meeting__title"], "date": _day_text(starts_at)}
        yield Due(
            duty="attendance.leave_decide", subject=f"meeting:{row['attendance__meeting_id']}",
            period=f"{local_date(starts_at):%Y-%m-%d}", due_at=starts_at,
            responsible=ctx.holders.of(Role.OFFICE, organisation=org_id),
            above=ctx.holders.of(Role.PRESIDENT, organisation=org_id), url=page,
            above_url=reverse("attendance:meeting_detail", args=[row["attendance__meeting_id"]]),
            text=(_("%(n)s 条请假申请待审批：%(meeting)s %(date)s") if row["pending"]
                  else _("请假申请已审批：%(meeting)s %(date)s")) % words,
            scope=row["attendance__meeting__organisation__name"], done=not row["pending"])


LEAVE_DECIDE = register(Duty(
    key="attendance.leave_decide", label=gettext_lazy("审批请假申请"), rule=gettext_lazy("会议开始前"),
    who=gettext_lazy("会议所属组织的办公室"), above=gettext_lazy("主席团/总部长"),
    collect=_collect_leave_decide, module=MODULE,
))
