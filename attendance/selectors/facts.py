"""The facts of an organisation's term that the scoring engine reads (scoring.facts turns them into its values).

Plain value rows, few queries, nothing per row: a 300-member organisation's term of 100 sessions is ~30 000
marks. Cancelled sessions and cancelled tasks are not facts. A term is its dates in school time.
"""

import datetime as dt

from django.db import connections
from django.db.models import IntegerField, Q, Value
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    DepartmentOrder,
    Meeting,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
    Status,
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


def term_marks(*, session_ids: list[int], every_mark_of: list[int] = ()) -> list[tuple]:
    """(id, person id, session id, status) of the marks of those sessions that are not "present" — plus every mark
    of the sessions in ``every_mark_of`` (activities, where taking part earns points) — in the index's order
    (grouped by session in practice; nothing depends on it but speed).

    The largest read of a sync. Present marks are most of a term (a 300-member organisation's 100 sessions are
    ~30 000 marks, three in four of them present) and only tell who was expected when: ``term_expected`` gives
    that as a few hundred rows. Fetched in one go from the cursor: these columns need no conversion, and
    Django's row-by-row iteration costs a third of the query. The queryset still writes the SQL, so the tenant
    scope applies."""
    if not session_ids:
        return []
    wanted = ~Q(status=Status.PRESENT)
    if every_mark_of:
        wanted |= Q(meeting_id__in=list(every_mark_of))
    marks = Attendance.objects.filter(meeting_id__in=session_ids).filter(wanted)
    return _fetch(marks.order_by().values_list("pk", "person_id", "meeting_id", "status"))


def term_expected(*, session_groups: dict[int, list[int]]) -> list[tuple[int, int]]:
    """Distinct (person id, group) of everyone expected (whatever their mark) at a session of each group
    (``{group: [session ids]}``; e.g. one group per month and kind): who had a session of the group at all, as
    one row per person and group instead of one per mark. One SELECT DISTINCT per group, in one UNION ALL:
    each reads only the (meeting, person) index, twice as fast as one DISTINCT over a CASE of the groups."""
    parts = [Attendance.objects.filter(meeting_id__in=ids).order_by().annotate(group=Value(group, IntegerField()))
             .values_list("person_id", "group").distinct() for group, ids in session_groups.items() if ids]
    if not parts:
        return []
    return _fetch(parts[0].union(*parts[1:], all=True))


def _fetch(rows) -> list[tuple]:
    """All rows of a values_list() queryset straight from the cursor (no per-row conversion)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def term_minutes(*, session_ids: list[int]) -> list[tuple]:
    """(id, session id, taker id, taken, grade) of those sessions' minutes."""
    minutes = Minutes.objects.filter(meeting_id__in=session_ids)
    return list(minutes.order_by("pk").values_list("pk", "meeting_id", "taker_id", "taken", "grade"))


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


def describe(refs) -> dict[tuple[str, str], str]:
    """A short Chinese description of each fact a ledger entry names: ``{(fact type, key): text}``. One query
    per fact type present, whatever the number of entries."""
    wanted: dict[str, set[int]] = {}
    texts: dict[tuple[str, str], str] = {}
    for fact_type, key in refs:
        if fact_type == "month":
            year, month = key.split("-")
            texts[fact_type, key] = _("%(year)s年%(month)s月的所有会议") % {"year": year, "month": int(month)}
        elif key.isdigit():
            wanted.setdefault(fact_type, set()).add(int(key))

    def day(moment):
        return date_format(moment.astimezone(school_tz()), "Y-m-d")

    def session(meeting):  # the entry's own date is shown beside it
        return meeting.title

    models = {
        "attendance": (Attendance, ["meeting"]), "minutes": (Minutes, ["meeting"]),
        "plenary_order": (PlenaryOrder, ["meeting", "department"]),
        "plenary_disruption": (PlenaryDisruption, ["meeting"]),
        "activity_performance": (ActivityPerformance, ["meeting"]),
        "activity_proposal": (ActivityProposal, ["meeting"]),
        "activity_coordination": (ActivityCoordination, ["meeting", "department"]),
        "task_assignment": (TaskAssignment, ["task"]),
    }
    for fact_type, ids in wanted.items():
        if fact_type == "activity":
            for meeting in Meeting.objects.filter(pk__in=ids):
                texts[fact_type, str(meeting.pk)] = _("%(session)s：活动总评") % {"session": session(meeting)}
            continue
        if fact_type not in models:
            continue  # not a fact of attendance (scoring describes its own)
        model, related = models[fact_type]
        rows = model.objects.filter(pk__in=ids).select_related(*related)
        if fact_type == "attendance":  # most of a member's entries: only what the text needs
            rows = rows.only("status", "late_minutes", "meeting__title")
        for row in rows:
            if fact_type == "attendance":
                text = _("%(session)s：%(status)s") % {"session": session(row.meeting),
                                                       "status": Status(row.status).label}
                if row.late_minutes is not None:  # late: how late; absent: the late that became an absence
                    text += (_("（%(n)s 分钟）") if row.status == Status.LATE else _("（迟到 %(n)s 分钟）")) % {
                        "n": row.late_minutes}
            elif fact_type == "minutes":
                text = _("%(session)s：会议记录") % {"session": session(row.meeting)}
            elif fact_type == "plenary_order":
                text = _("%(session)s：%(department)s会场纪律“%(order)s”") % {
                    "session": session(row.meeting), "department": row.department.name,
                    "order": DepartmentOrder(row.order).label}
            elif fact_type == "plenary_disruption":
                text = _("%(session)s：严重影响会场纪律") % {"session": session(row.meeting)}
            elif fact_type == "activity_proposal":
                text = _("%(session)s：方案「%(title)s」") % {"session": session(row.meeting), "title": row.title}
            elif fact_type == "activity_coordination":
                text = _("%(session)s：%(department)s的部门配合") % {"session": session(row.meeting),
                                                              "department": row.department.name}
            elif fact_type == "task_assignment":
                text = _("任务「%(title)s」（截止 %(deadline)s）") % {"title": row.task.title,
                                                                "deadline": day(row.task.deadline)}
            else:  # activity_performance
                text = session(row.meeting)
            texts[fact_type, str(row.pk)] = text
    return texts
