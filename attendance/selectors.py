"""Reads of attendance, with the user explicit: which sessions and which rows a user may see."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from attendance.models import Attendance, AttendanceChange, LeaveRequest, LeaveStatus, Meeting, MeetingKind, Status
from members.models import Membership, Role
from members.roles import grants
from orgs.models import Department


def _scopes(user):
    recorder_orgs, viewer_orgs, head_departments, everything = set(), set(), set(), False
    for g in grants(user):
        if g.role == Role.TENANT_ADMIN:
            everything = True
        elif g.role == Role.OFFICE:
            recorder_orgs.add(g.organisation_id)
        elif g.role == Role.PRESIDENT:
            viewer_orgs.add(g.organisation_id)
        elif g.role == Role.DEPARTMENT_HEAD:
            head_departments.add(g.department_id)
    return recorder_orgs, viewer_orgs, head_departments, everything


def can_record(user, meeting: Meeting) -> bool:
    """The office of the session's organisation records its attendance."""
    return meeting.organisation_id in _scopes(user)[0]


def sees_all_rows(user, meeting: Meeting) -> bool:
    """Office, presidium and the school's admin see every row of a session; a department head only some."""
    recorder, viewer, _departments, everything = _scopes(user)
    return everything or meeting.organisation_id in recorder | viewer


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Office and presidium: their organisation's sessions; a department head: their department's sessions
    and the plenaries and other meetings of its organisation; the school's admin: all."""
    recorder, viewer, departments, everything = _scopes(user)
    if everything:
        return Meeting.objects.all()
    q = Q(organisation_id__in=recorder | viewer)
    if departments:
        head_orgs = set(Department.objects.filter(pk__in=departments).values_list("organisation_id", flat=True))
        q |= Q(department_id__in=departments) | (
            Q(organisation_id__in=head_orgs) & Q(kind__in=[MeetingKind.PLENARY, MeetingKind.OTHER])
        )
    return Meeting.objects.filter(q)


def attendance_rows(*, user, meeting: Meeting) -> QuerySet[Attendance]:
    """The rows of a session the user may see: all for its office, presidium and the school's admin; a
    department head's own department's members otherwise. People and departments joined, one query."""
    recorder, viewer, departments, everything = _scopes(user)
    rows = Attendance.objects.filter(meeting=meeting)
    if not (everything or meeting.organisation_id in recorder | viewer):
        members = Membership.objects.filter(organisation_id=meeting.organisation_id, department_id__in=departments,
                                            end__isnull=True).values("person_id")
        rows = rows.filter(person_id__in=members)
    return rows.select_related("person").order_by("person__number")


def meeting_list(*, user, organisation_id=None, department_id=None, month: dt.date | None = None):
    meetings = meetings_visible_to(user).select_related("organisation", "department").annotate(
        expected=Count("attendances"),
        marked=Count("attendances", filter=~Q(attendances__status=Status.UNMARKED)),
    )
    if organisation_id:
        meetings = meetings.filter(organisation_id=organisation_id)
    if department_id:
        meetings = meetings.filter(department_id=department_id)
    if month:
        meetings = meetings.filter(starts_at__year=month.year, starts_at__month=month.month)
    return meetings.order_by("-starts_at")


def attendance_counts(*, meeting: Meeting) -> dict[str, int]:
    rows = Attendance.objects.filter(meeting=meeting).values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def attendance_changes(*, meeting: Meeting, person_ids=None) -> QuerySet[AttendanceChange]:
    changes = AttendanceChange.objects.filter(attendance__meeting=meeting)
    if person_ids is not None:
        changes = changes.filter(attendance__person_id__in=person_ids)
    return changes.select_related("attendance__person", "changed_by__person").order_by("-changed_at", "-pk")


def my_attendance(*, user, since: dt.date | None = None) -> QuerySet[Attendance]:
    """A member's own rows (any session they were expected at), newest first."""
    if user.person_id is None:
        return Attendance.objects.none()
    rows = Attendance.objects.filter(person_id=user.person_id).select_related("meeting__organisation")
    if since:
        rows = rows.filter(meeting__starts_at__date__gte=since)
    return rows.order_by("-meeting__starts_at")


def pending_leave_requests(*, user) -> QuerySet[LeaveRequest]:
    """Leave requests the user's offices must decide."""
    recorder = _scopes(user)[0]
    return LeaveRequest.objects.filter(status=LeaveStatus.PENDING, attendance__meeting__organisation_id__in=recorder
                                       ).select_related("attendance__person", "attendance__meeting").order_by(
        "attendance__meeting__starts_at")


def leave_requests_decidable_by(user) -> QuerySet[LeaveRequest]:
    """Every leave request (any status) of the sessions whose office the user is: the ones they may decide."""
    recorder = _scopes(user)[0]
    return LeaveRequest.objects.filter(attendance__meeting__organisation_id__in=recorder).select_related(
        "attendance__meeting")


def my_leave_requests(*, attendance_ids) -> QuerySet[LeaveRequest]:
    """The leave requests of the given rows (a member's own), newest first."""
    return LeaveRequest.objects.filter(attendance_id__in=list(attendance_ids)).order_by("-requested_at", "-pk")
