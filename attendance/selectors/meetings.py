"""Reads of attendance, with the user explicit: which sessions and which rows a user may see."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from attendance.models import Attendance, AttendanceChange, LeaveRequest, LeaveStatus, Meeting, MeetingKind, Status
from attendance.policies import LATE_ABSENCE_MINUTES
from members.models import Membership, Person, Role
from members.roles import reach
from members.selectors import department_member_ids
from orgs.calendar import local_date, school_tz
from orgs.models import Department, Organisation
from orgs.selectors import policy_value


def _scopes(user):
    """(organisations the user records for — its office —, organisations it oversees — its presidium —,
    departments it heads, whether it sees the whole school — the school's admin)."""
    return (set(reach(user, Role.OFFICE).organisations), set(reach(user, Role.PRESIDENT).organisations),
            set(reach(user, Role.DEPARTMENT_HEAD).departments), reach(user, Role.TENANT_ADMIN).school)


def late_threshold(meeting: Meeting) -> int:
    """Minutes late beyond which a mark counts as an absence: the school's policy on the session's date."""
    return policy_value(tenant=meeting.tenant_id, key=LATE_ABSENCE_MINUTES.key, on=local_date(meeting.starts_at))


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
        rows = rows.filter(person_id__in=department_member_ids(department_ids=departments,
                                                               organisation_id=meeting.organisation_id))
    return rows.select_related("person").order_by("person__number")


def attendance_roll(*, user, meeting: Meeting):
    """The rows of ``attendance_rows`` as plain named tuples, for the attendance page's list: ``pk``,
    ``person_id``, ``status``, ``late_minutes``, ``late_as_absence``, ``version``, ``name`` and ``number`` (of the
    person). One query; no model instances (two per row were most of the page's time after its template)."""
    return attendance_rows(user=user, meeting=meeting).annotate(
        name=F("person__name"), number=F("person__number"),
    ).values_list("pk", "person_id", "status", "late_minutes", "late_as_absence", "version", "name", "number",
                  named=True)


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


def attendance_changes(*, meeting: Meeting, rows=None, attendance=None, newest: int | None = None):
    """The changes of a session's marks, newest first, as named tuples: ``changed_at``, ``old_status``,
    ``old_late_minutes``, ``new_status``, ``new_late_minutes``, ``via``, ``name`` (whose mark), ``by_name`` and
    ``by_username`` (who changed it). Only those of the ``rows`` queryset (a department head's rows) or of one
    ``attendance`` row when given; only the ``newest`` ones when given (chosen before the names are joined, so
    a plenary's hundreds of changes are not all joined to their people to keep twenty).

    Values, not models: five model instances per change (the change, its row, its person, the user and theirs)
    cost more than the query. The rows are a subquery: the database starts from the session's rows (an index)
    rather than from the school's every change."""
    if attendance is not None:
        changes = AttendanceChange.objects.filter(attendance=attendance)
    else:
        rows = Attendance.objects.filter(meeting=meeting) if rows is None else rows
        changes = AttendanceChange.objects.filter(attendance__in=rows.order_by().values("pk"))
    changes = changes.order_by("-changed_at", "-pk")
    if newest is not None:
        changes = AttendanceChange.objects.filter(pk__in=changes.values("pk")[:newest]).order_by("-changed_at", "-pk")
    return changes.annotate(
        name=F("attendance__person__name"), by_name=F("changed_by__person__name"),
        by_username=F("changed_by__username"),
    ).values_list(
        "changed_at", "old_status", "old_late_minutes", "new_status", "new_late_minutes", "via", "name", "by_name",
        "by_username", named=True)


def attendance_change_counts(*, meeting: Meeting) -> dict[int, int]:
    """How many changes each row of a session has (row id → count; rows without any are left out): one
    aggregate query, the changes themselves are not read."""
    rows = Attendance.objects.filter(meeting=meeting).values("pk")
    return dict(AttendanceChange.objects.filter(attendance__in=rows).order_by().values("attendance_id").annotate(
        n=Count("pk")).values_list("attendance_id", "n"))


def my_attendance(*, user, since: dt.date | None = None) -> QuerySet[Attendance]:
    """A member's own rows (any session they were expected at), newest first."""
    if user.person_id is None:
        return Attendance.objects.none()
    rows = Attendance.objects.filter(person_id=user.person_id).select_related("meeting__organisation")
    if since:
        rows = rows.filter(meeting__starts_at__date__gte=since)
    return rows.order_by("-meeting__starts_at")


def pending_leave_requests(*, user, meeting: Meeting | None = None) -> QuerySet[LeaveRequest]:
    """Leave requests the user's offices must decide (of one session, or of all)."""
    recorder = _scopes(user)[0]
    pending = LeaveRequest.objects.filter(status=LeaveStatus.PENDING,
                                          attendance__meeting__organisation_id__in=recorder)
    if meeting is not None:
        pending = pending.filter(attendance__meeting=meeting)
    return pending.select_related("attendance__person", "attendance__meeting").order_by(
        "attendance__meeting__starts_at", "requested_at", "pk")


def leave_requests_decidable_by(user) -> QuerySet[LeaveRequest]:
    """Every leave request (any status) of the sessions whose office the user is: the ones they may decide."""
    recorder = _scopes(user)[0]
    return LeaveRequest.objects.filter(attendance__meeting__organisation_id__in=recorder).select_related(
        "attendance__meeting")


def my_leave_requests(*, attendance_ids) -> QuerySet[LeaveRequest]:
    """The leave requests of the given rows (a member's own), newest first."""
    return LeaveRequest.objects.filter(attendance_id__in=list(attendance_ids)).order_by("-requested_at", "-pk")


# --- the monthly attendance sheet (月度考勤表, AT-3; 000 办公室 11, 14) ---

#: The totals of a monthly sheet, in column order.
TOTAL_STATUSES = (Status.PRESENT, Status.LATE, Status.EARLY_LEAVE, Status.LEAVE, Status.ABSENT)


@dataclass
class SheetRow:
    person: Person
    department: str
    marks: list  # one Attendance (or None: not expected) per session of the sheet
    totals: dict = field(default_factory=dict)
    full_attendance: bool = False


@dataclass
class MonthlySheet:
    organisation: Organisation
    month: dt.date  # the first day of the month
    department: Department | None
    plenary: bool
    sessions: list
    rows: list


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The school-local start of ``month`` and of the month after it."""
    tz = school_tz()
    first = dt.date(month.year, month.month, 1)
    after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return dt.datetime.combine(first, dt.time(), tz), dt.datetime.combine(after, dt.time(), tz)


def monthly_sheet(*, organisation, month: dt.date, department=None, plenary: bool = False) -> MonthlySheet:
    """A department's sheet (its regular meetings and duty shifts; rows: its members) or the plenary sheet (the
    organisation's plenaries; rows: every member with their department) for a calendar month. Cancelled sessions
    are left out. Rows are the members during the month plus anyone expected at a session of the sheet. 全勤
    (SPEC SC-4) is present — not late, no early leave, no leave, no absence — at every session of the sheet
    expected of the person, with at least one. Three queries, whatever the size."""
    if not plenary and department is None:
        raise ValueError("a department, or plenary=True")
    start, end = month_bounds(month)
    sessions = Meeting.objects.filter(organisation=organisation, starts_at__gte=start, starts_at__lt=end,
                                      cancelled_at__isnull=True)
    members = Membership.objects.filter(organisation=organisation, start__lt=end.date()).filter(
        Q(end__isnull=True) | Q(end__gte=start.date()))
    if plenary:
        sessions = sessions.filter(kind=MeetingKind.PLENARY)
    else:
        sessions = sessions.filter(department=department, kind__in=[MeetingKind.DEPARTMENT, MeetingKind.DUTY])
        members = members.filter(department=department)
    sessions = list(sessions.order_by("starts_at", "pk"))
    places = {}
    for membership in members.select_related("person", "department").order_by("start", "pk"):
        places[membership.person_id] = membership  # the latest membership of the month wins
    column = {session.pk: i for i, session in enumerate(sessions)}
    people = {pid: m.person for pid, m in places.items()}
    marks = {}
    for attendance in Attendance.objects.filter(meeting_id__in=list(column)).select_related("person"):
        people.setdefault(attendance.person_id, attendance.person)
        marks[attendance.person_id, attendance.meeting_id] = attendance
    rows = []
    for pid, person in people.items():
        place = places.get(pid)
        row = SheetRow(person=person, department=place.department.name if place and place.department else "",
                       marks=[marks.get((pid, s.pk)) for s in sessions])
        expected = [m for m in row.marks if m is not None]
        row.totals = {status: sum(m.status == status for m in expected) for status in TOTAL_STATUSES}
        row.full_attendance = bool(expected) and all(m.status == Status.PRESENT for m in expected)
        rows.append(row)
    rows.sort(key=lambda r: (r.department, r.person.number) if plenary else (r.person.number,))
    return MonthlySheet(organisation=organisation, month=dt.date(month.year, month.month, 1),
                        department=None if plenary else department, plenary=plenary, sessions=sessions, rows=rows)


def monthly_sheet_scope(user):
    """Whose monthly sheets the user may see: (organisation ids of every sheet, or None for all of the school;
    department ids of a department head's own sheets)."""
    recorder, viewer, departments, everything = _scopes(user)
    return (None if everything else recorder | viewer), departments
