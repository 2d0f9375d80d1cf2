"""Attendance's open items for the duty engine's benchmark (duties/benchmarks.py finds this module: duties may not
import attendance). For one alliance organisation of the bench school: a plenary of last month nobody was marked
at (its monthly sheet incomplete), a plenary in two days with a tenth of the members asking for leave, and two
tasks of every member — due in two days, and two days overdue —, a quarter of each submitted. In bulk."""

import datetime as dt

from attendance.models import Attendance, Audience, LeaveRequest, Meeting, MeetingKind, Task, TaskAssignment
from duties.benchmarks import TITLE, Alliance, Items, Rows, register_items
from orgs.calendar import local_date, school_tz


def build(alliance: Alliance) -> Rows:
    tenant, now, members = alliance.tenant, alliance.now, alliance.members
    today = local_date(now)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    soon = now + dt.timedelta(days=2)
    meetings = Meeting.objects.bulk_create([
        Meeting(tenant=tenant, organisation=alliance.organisation, kind=MeetingKind.PLENARY, title=TITLE, stars=3,
                starts_at=starts, ends_at=starts + dt.timedelta(hours=1), audience=Audience.ORGANISATION,
                created_by_id=alliance.office_id)
        for starts in (dt.datetime.combine(last_month, dt.time(19), school_tz()), soon)])
    attendances = Attendance.objects.bulk_create([Attendance(tenant=tenant, meeting=m, person_id=pk)
                                                  for m in meetings for pk in members], batch_size=2000)
    upcoming = [a.pk for a in attendances if a.meeting_id == meetings[1].pk]
    leave = LeaveRequest.objects.bulk_create([LeaveRequest(tenant=tenant, attendance_id=pk, reason=TITLE)
                                              for pk in upcoming[::10]], batch_size=2000)
    tasks = Task.objects.bulk_create([
        Task(tenant=tenant, organisation=alliance.organisation, title=f"{TITLE}{i}", deadline=deadline,
             audience=Audience.ORGANISATION, created_by_id=alliance.office_id, created_at=now - dt.timedelta(days=10))
        for i, deadline in enumerate((soon, now - dt.timedelta(days=2)))])
    assignments = TaskAssignment.objects.bulk_create([
        TaskAssignment(tenant=tenant, task=task, person_id=pk,
                       submitted_at=now - dt.timedelta(days=3) if j % 4 == 0 else None)
        for task in tasks for j, pk in enumerate(members)], batch_size=2000)
    return [(Meeting, [m.pk for m in meetings]), (Attendance, [a.pk for a in attendances]),
            (LeaveRequest, [r.pk for r in leave]), (Task, [t.pk for t in tasks]),
            (TaskAssignment, [a.pk for a in assignments])]


def leftovers(tenant, users: list[int], organisations: list[int]) -> Rows:
    """What a run that died before its clean-up left, found by the benchmark's title."""
    meetings = list(Meeting.objects.filter(tenant=tenant, title=TITLE).values_list("pk", flat=True))
    tasks = list(Task.objects.filter(tenant=tenant, title__startswith=TITLE).values_list("pk", flat=True))
    return [(Meeting, meetings),
            (Attendance, list(Attendance.objects.filter(meeting_id__in=meetings).values_list("pk", flat=True))),
            (LeaveRequest, list(LeaveRequest.objects.filter(attendance__meeting_id__in=meetings).values_list(
                "pk", flat=True))),
            (Task, tasks),
            (TaskAssignment, list(TaskAssignment.objects.filter(task_id__in=tasks).values_list("pk", flat=True)))]


register_items(Items("attendance", build, leftovers))
