"""Reads of what the office records about a session: its minutes (AT-4), a plenary's discipline (SC-8), an
activity's records (AT-6), and a member's own activities. The user is explicit: the office, the presidium and
the school's admin see every person's records of a session they may see; a department head only those of their
own department's members (like the attendance rows). Each page's read is a constant number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    Meeting,
    MeetingKind,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
)
from attendance.policies import ACTIVITY_HANDBACK_DAYS
from attendance.selectors.meetings import attendance_rows, can_record, sees_all_rows
from members.models import Person, Role
from members.roles import reach
from members.selectors import department_member_ids, memberships_on
from orgs.calendar import local_date
from orgs.models import Department
from orgs.selectors import policy_value

#: Whether items were returned / materials collected in time (SPEC AT-6): (state, label).
HANDBACK_ON_TIME, HANDBACK_LATE, HANDBACK_PENDING = "on_time", "late", "pending"
HANDBACK_LABELS = {HANDBACK_ON_TIME: _("按时"), HANDBACK_LATE: _("逾期"), HANDBACK_PENDING: _("未完成")}


def _visible_people(user, meeting: Meeting):
    """None when the user sees every person's records of the session; else the ids (a subquery) of the
    members of the departments they head."""
    if sees_all_rows(user, meeting):
        return None
    return department_member_ids(department_ids=reach(user, Role.DEPARTMENT_HEAD).departments,
                                 organisation_id=meeting.organisation_id)


def _members_on(meeting: Meeting) -> QuerySet[Person]:
    """The members of the session's organisation on its (school-local) date, by number."""
    on = local_date(meeting.starts_at)
    current = memberships_on(organisation_ids=[meeting.organisation_id], on=on)
    return Person.objects.filter(pk__in=current.values("person_id")).order_by("number")


@dataclass
class DepartmentMark:
    """A department of the session's organisation and what was recorded for it (None: not graded)."""

    department: Department
    row: PlenaryOrder | ActivityCoordination | None
    value: str = ""
    label: str = ""  # the recorded value in words


def _department_marks(meeting: Meeting, model, attribute: str) -> list[DepartmentMark]:
    rows = {r.department_id: r for r in model.objects.filter(meeting=meeting)}
    labels = dict(model._meta.get_field(attribute).choices)
    marks = []
    for department in Department.objects.filter(organisation_id=meeting.organisation_id):
        row = rows.get(department.pk)
        value = getattr(row, attribute, "")
        marks.append(DepartmentMark(department=department, row=row, value=value, label=labels.get(value, "")))
    return marks


# --- minutes (会议记录, AT-4) ---


def meeting_minutes(*, meeting: Meeting) -> Minutes | None:
    """The session's minutes record, with its taker and who recorded it; one query."""
    return Minutes.objects.filter(meeting=meeting).select_related("taker", "recorded_by__person").first()


# --- plenary discipline (会场纪律, SC-8) ---


@dataclass
class DisciplinePage:
    departments: list[DepartmentMark]
    disruptions: list[PlenaryDisruption]
    candidates: list[Person] = field(default_factory=list)  # attendees who may be added (the office only)


def discipline_page(*, user, meeting: Meeting) -> DisciplinePage:
    """Every department of the plenary's organisation with its order, the individuals who seriously disrupted
    it and (for its office) the attendees who may still be added. Four queries, whatever the size."""
    disruptions = PlenaryDisruption.objects.filter(meeting=meeting).select_related("person", "recorded_by__person")
    visible = _visible_people(user, meeting)
    if visible is not None:
        disruptions = disruptions.filter(person_id__in=visible)
    disruptions = list(disruptions.order_by("person__number"))
    candidates = []
    if can_record(user, meeting):
        recorded = {d.person_id for d in disruptions}
        candidates = [row.person for row in attendance_rows(user=user, meeting=meeting)
                      if row.person_id not in recorded]
    return DisciplinePage(departments=_department_marks(meeting, PlenaryOrder, "order"), disruptions=disruptions,
                          candidates=candidates)


# --- activities (活动, AT-6) ---


def handback_deadline(meeting: Meeting) -> dt.date:
    """The last day items may be returned and materials collected in time: the activity's (school-local) end
    date plus the school's policy (``attendance.activity_handback_days``) on the activity's date."""
    days = policy_value(tenant=meeting.tenant_id, key=ACTIVITY_HANDBACK_DAYS.key, on=local_date(meeting.starts_at))
    return local_date(meeting.ends_at) + dt.timedelta(days=days)


@dataclass
class Handback:
    """Items returned or materials collected: when, by when, and so 按时 / 逾期 / 未完成."""

    on: dt.date | None
    deadline: dt.date
    state: str
    overdue: bool  # not done and the deadline has passed

    @property
    def label(self):
        return HANDBACK_LABELS[self.state]


def handback(on: dt.date | None, *, deadline: dt.date, today: dt.date) -> Handback:
    if on is None:
        return Handback(on=None, deadline=deadline, state=HANDBACK_PENDING, overdue=today > deadline)
    return Handback(on=on, deadline=deadline, state=HANDBACK_ON_TIME if on <= deadline else HANDBACK_LATE,
                    overdue=False)


@dataclass
class ActivityPage:
    report: ActivityReport | None
    items: Handback
    materials: Handback
    departments: list[DepartmentMark]
    participants: list[Attendance]  # each with ``performance`` (an ActivityPerformance or None)
    proposals: list[ActivityProposal]
    members: list[Person] = field(default_factory=list)  # who may propose (the office only)
    addable: list[Person] = field(default_factory=list)  # members not yet participants (the office only)


def activity_page(*, user, meeting: Meeting, today: dt.date) -> ActivityPage:
    """The activity's report and hand-back, each department's coordination, the participants (its attendance
    rows the user may see) with their performance, the proposals and, for its office, the members who may
    propose or be added. Eight queries, whatever the size."""
    report = ActivityReport.objects.filter(meeting=meeting).select_related("recorded_by__person").first()
    deadline = handback_deadline(meeting)
    participants = list(attendance_rows(user=user, meeting=meeting))
    performances = {p.person_id: p for p in ActivityPerformance.objects.filter(
        meeting=meeting, person_id__in=[row.person_id for row in participants])}
    for row in participants:
        row.performance = performances.get(row.person_id)
    proposals = ActivityProposal.objects.filter(meeting=meeting).select_related("person", "recorded_by__person")
    visible = _visible_people(user, meeting)
    if visible is not None:
        proposals = proposals.filter(person_id__in=visible)
    members, addable = [], []
    if can_record(user, meeting):
        members = list(_members_on(meeting))
        taking_part = {row.person_id for row in participants}
        addable = [p for p in members if p.pk not in taking_part]
    return ActivityPage(
        report=report,
        items=handback(report.items_returned_on if report else None, deadline=deadline, today=today),
        materials=handback(report.materials_collected_on if report else None, deadline=deadline, today=today),
        departments=_department_marks(meeting, ActivityCoordination, "grade"), participants=participants,
        proposals=list(proposals.order_by("recorded_at", "pk")), members=members, addable=addable,
    )


# --- a member's own activities (我的活动) ---


@dataclass
class MyActivity:
    meeting: Meeting
    attendance: Attendance | None  # None: proposed for it without taking part
    performance: ActivityPerformance | None = None
    proposals: list[ActivityProposal] = field(default_factory=list)


def my_activities(*, user, since: dt.date | None = None) -> list[MyActivity]:
    """The activities a member took part in or proposed for, newest first, each with their own attendance,
    performance and proposals. Three queries."""
    if user.person_id is None:
        return []
    person = user.person_id
    rows = Attendance.objects.filter(person_id=person, meeting__kind=MeetingKind.ACTIVITY).select_related(
        "meeting__organisation")
    proposals = ActivityProposal.objects.filter(person_id=person, meeting__kind=MeetingKind.ACTIVITY).select_related(
        "meeting__organisation")
    if since:
        rows = rows.filter(meeting__starts_at__date__gte=since)
        proposals = proposals.filter(meeting__starts_at__date__gte=since)
    found = {row.meeting_id: MyActivity(meeting=row.meeting, attendance=row) for row in rows}
    for proposal in proposals.order_by("recorded_at", "pk"):
        found.setdefault(proposal.meeting_id, MyActivity(meeting=proposal.meeting, attendance=None))
        found[proposal.meeting_id].proposals.append(proposal)
    for performance in ActivityPerformance.objects.filter(person_id=person, meeting_id__in=list(found)):
        found[performance.meeting_id].performance = performance
    return sorted(found.values(), key=lambda a: (a.meeting.starts_at, a.meeting.pk), reverse=True)
