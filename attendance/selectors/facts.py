"""The facts of an organisation's term that the scoring engine reads (scoring.facts turns them into its values).

Plain value rows, few queries, nothing per row: a 300-member organisation's term of 100 sessions is ~30 000
marks. Cancelled sessions and cancelled tasks are not facts. A term is its dates in school time.
"""

import datetime as dt

from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    Meeting,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
    TaskAssignment,
)
from orgs.calendar import school_tz


def term_bounds(term) -> tuple[dt.datetime, dt.datetime]:
    """The school-local start of the term's first day and of the day after its last."""
    tz = school_tz()
    return (dt.datetime.combine(term.start, dt.time(), tz),
            dt.datetime.combine(term.end + dt.timedelta(days=1), dt.time(), tz))


def term_sessions(*, organisation_id: int, term) -> list[tuple]:
    """(id, kind, stars, starts_at) of the organisation's sessions in the term, cancelled ones left out."""
    start, end = term_bounds(term)
    return list(Meeting.objects.filter(organisation_id=organisation_id, starts_at__gte=start, starts_at__lt=end,
                                       cancelled_at__isnull=True)
                .order_by("starts_at", "pk").values_list("pk", "kind", "stars", "starts_at"))


def term_marks(*, session_ids: list[int]) -> list[tuple]:
    """(id, person id, session id, status) of every mark of those sessions."""
    return list(Attendance.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "person_id", "meeting_id", "status"))


def term_minutes(*, session_ids: list[int]) -> list[tuple]:
    return list(Minutes.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "taker_id", "taken", "grade"))


def term_plenary_orders(*, session_ids: list[int]) -> list[tuple]:
    return list(PlenaryOrder.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "department_id", "order"))


def term_disruptions(*, session_ids: list[int]) -> list[tuple]:
    return list(PlenaryDisruption.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "person_id"))


def term_performances(*, session_ids: list[int]) -> list[tuple]:
    return list(ActivityPerformance.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "person_id", "outstanding", "concise_summary"))


def term_proposals(*, session_ids: list[int]) -> list[tuple]:
    return list(ActivityProposal.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "person_id", "novel", "adopted"))


def term_activity_reports(*, session_ids: list[int]) -> list[tuple]:
    return list(ActivityReport.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("meeting_id", "overall_grade"))


def term_coordinations(*, session_ids: list[int]) -> list[tuple]:
    return list(ActivityCoordination.objects.filter(meeting_id__in=session_ids).order_by("pk")
                .values_list("pk", "meeting_id", "department_id", "grade"))


def term_task_assignments(*, organisation_id: int, term) -> list[tuple]:
    """(assignment id, task id, person id, deadline, acknowledged at, submitted at, grade) of the organisation's
    tasks whose deadline falls in the term, cancelled tasks left out."""
    start, end = term_bounds(term)
    return list(TaskAssignment.objects.filter(task__organisation_id=organisation_id, task__deadline__gte=start,
                                              task__deadline__lt=end, task__cancelled_at__isnull=True)
                .order_by("pk").values_list("pk", "task_id", "person_id", "task__deadline", "acknowledged_at",
                                            "submitted_at", "grade"))
