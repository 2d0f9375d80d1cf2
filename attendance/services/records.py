"""Writes of what the office records about a session afterwards: minutes (会议记录, AT-4), a plenary's
discipline (会场纪律, SC-8) and an activity's report, coordination, performance, proposals and participants
(AT-6). Keyword-only, atomic, Chinese errors; the facts only — points are a later issue's.

Every service re-reads the session under a row lock, so a session cancelled in between is refused. What makes
no sense before a session has started (minutes, discipline, an activity's grades and performance) is refused
then; proposals (adopted *before* the activity) and added participants are allowed at any time. Every write
sends ``facts_changed`` (attendance/signals.py) inside its transaction, like the services of meetings.py: these
are facts the scoring engine reads.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    Coordination,
    DepartmentOrder,
    Grade,
    Meeting,
    MeetingKind,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
)
from attendance.signals import notify
from members.selectors import memberships_on
from orgs.calendar import local_date

#: The kinds of session whose minutes are recorded (a duty shift and an activity have none).
MINUTES_KINDS = (MeetingKind.DEPARTMENT, MeetingKind.PLENARY, MeetingKind.OTHER)

#: The longest note or title the tables keep (their ``max_length``).
NOTE_LENGTH = 200


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _check_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError(_("%(kind)s已取消，不能登记。") % {"kind": meeting.get_kind_display()})


def _plenary(meeting: Meeting, *, now: dt.datetime | None) -> Meeting:
    """The locked plenary, open, and (when ``now`` is given) started."""
    meeting = _locked(meeting)
    if meeting.kind != MeetingKind.PLENARY:
        raise ValidationError(_("只有全体会议记录会场纪律。"))
    _check_open(meeting)
    if now is not None and now < meeting.starts_at:
        raise ValidationError(_("会议尚未开始，不能记录会场纪律。"))
    return meeting


def _activity(meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    if meeting.kind != MeetingKind.ACTIVITY:
        raise ValidationError(_("这不是一次活动。"))
    _check_open(meeting)
    return meeting


def _check_department(meeting: Meeting, department) -> None:
    if department is None or department.organisation_id != meeting.organisation_id:
        raise ValidationError({"department": _("该部门不属于本组织。")})


def _check_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": NOTE_LENGTH}})
    return note


def _check_grade(grade: str, field: str) -> str:
    grade = grade or ""
    if grade and grade not in Grade.values:
        raise ValidationError({field: _("未知的评定。")})
    return grade


def _changed(meeting: Meeting, now: dt.datetime) -> None:
    notify(organisation_id=meeting.organisation_id, on=local_date(meeting.starts_at), now=now)


def _is_member(meeting: Meeting, person) -> bool:
    """A current member of the session's organisation on the session's (school-local) date."""
    on = local_date(meeting.starts_at)
    return memberships_on(organisation_ids=[meeting.organisation_id], on=on).filter(person_id=person.pk).exists()


# --- minutes (会议记录, AT-4) ---


@transaction.atomic
def minutes_record(*, meeting: Meeting, taken: bool, user, now: dt.datetime, grade: str = "",
                   content: str = "") -> Minutes:
    """Whether the session's minutes-taker took its minutes, the office's grade (optional: it may be given
    later, but only when taken) and the minutes' text. The taker recorded is the session's minutes-taker now;
    recording again updates the one row."""
    meeting = _locked(meeting)
    if meeting.kind not in MINUTES_KINDS:
        raise ValidationError(_("值班和活动不做会议记录。"))
    _check_open(meeting)
    if now < meeting.starts_at:
        raise ValidationError(_("会议尚未开始，不能登记会议记录。"))
    if meeting.minutes_taker_id is None:
        raise ValidationError(_("本次会议没有指定会议记录人，请先在“修改会议”中指定。"))
    grade = _check_grade(grade, "grade")
    content = (content or "").strip()
    if not taken and grade:
        raise ValidationError({"grade": _("未做记录时不能评定。")})
    if not taken and content:
        raise ValidationError({"content": _("未做记录时不能填写记录内容。")})
    minutes, _created = Minutes.objects.update_or_create(
        tenant_id=meeting.tenant_id, meeting=meeting,
        defaults={"taker_id": meeting.minutes_taker_id, "taken": bool(taken), "grade": grade, "content": content,
                  "recorded_by": user, "recorded_at": now},
    )
    _changed(meeting, now)
    return minutes


# --- plenary discipline (会场纪律, SC-8) ---


@transaction.atomic
def plenary_order_set(*, meeting: Meeting, department, order: str | None, user, now: dt.datetime):
    """How a department of the plenary's organisation kept order (``DepartmentOrder``), or None to clear it.
    Returns the row, or None when cleared."""
    meeting = _plenary(meeting, now=now)
    _check_department(meeting, department)
    if order and order not in DepartmentOrder.values:
        raise ValidationError({"order": _("未知的会场纪律评定。")})
    row = None
    if not order:
        PlenaryOrder.objects.filter(meeting=meeting, department=department).delete()
    else:
        row, _created = PlenaryOrder.objects.update_or_create(
            tenant_id=meeting.tenant_id, meeting=meeting, department=department,
            defaults={"order": order, "recorded_by": user, "recorded_at": now},
        )
    _changed(meeting, now)
    return row


@transaction.atomic
def plenary_disruption_add(*, meeting: Meeting, person, user, now: dt.datetime, note: str = "") -> PlenaryDisruption:
    """Record that an expected attendee of the plenary seriously disrupted it (特别吵闹、严重影响会场纪律)."""
    meeting = _plenary(meeting, now=now)
    note = _check_note(note)
    if not Attendance.objects.filter(meeting=meeting, person_id=person.pk).exists():
        raise ValidationError({"person": _("此人不是本次会议的应到人员。")})
    if PlenaryDisruption.objects.filter(meeting=meeting, person_id=person.pk).exists():
        raise ValidationError({"person": _("已经记录过此人严重扰乱会场。")})
    row = PlenaryDisruption.objects.create(tenant_id=meeting.tenant_id, meeting=meeting, person=person, note=note,
                                           recorded_by=user, recorded_at=now)
    _changed(meeting, now)
    return row


@transaction.atomic
def plenary_disruption_remove(*, meeting: Meeting, person, now: dt.datetime) -> None:
    """Take back a disruption recorded by mistake."""
    meeting = _plenary(meeting, now=None)
    deleted, _rows = PlenaryDisruption.objects.filter(meeting=meeting, person_id=person.pk).delete()
    if not deleted:
        raise ValidationError({"person": _("没有此人严重扰乱会场的记录。")})
    _changed(meeting, now)


# --- activities (活动, AT-6) ---


@transaction.atomic
def activity_report_save(*, meeting: Meeting, user, now: dt.datetime, overall_grade: str = "", summary: str = "",
                         items_returned_on: dt.date | None = None,
                         materials_collected_on: dt.date | None = None) -> ActivityReport:
    """The activity's overall grade, its summary, and when the items were returned and the materials collected
    (neither before the activity's date nor after today). Saving again updates the one row."""
    meeting = _activity(meeting)
    if now < meeting.starts_at:
        raise ValidationError(_("活动尚未开始，不能登记活动评定。"))
    overall_grade = _check_grade(overall_grade, "overall_grade")
    day, today, errors = local_date(meeting.starts_at), local_date(now), {}
    for field, value, label in (("items_returned_on", items_returned_on, _("物品归还日期")),
                                ("materials_collected_on", materials_collected_on, _("资料收集日期"))):
        if value is None:
            continue
        if value < day:
            errors[field] = _("%(label)s不能早于活动日期。") % {"label": label}
        elif value > today:
            errors[field] = _("%(label)s不能晚于今天。") % {"label": label}
    if errors:
        raise ValidationError(errors)
    report, _created = ActivityReport.objects.update_or_create(
        tenant_id=meeting.tenant_id, meeting=meeting,
        defaults={"overall_grade": overall_grade, "summary": (summary or "").strip(),
                  "items_returned_on": items_returned_on, "materials_collected_on": materials_collected_on,
                  "recorded_by": user, "recorded_at": now},
    )
    _changed(meeting, now)
    return report


@transaction.atomic
def activity_coordination_set(*, meeting: Meeting, department, grade: str | None, user, now: dt.datetime):
    """A department's coordination at the activity (``Coordination``), or None to clear it. Returns the row, or
    None when cleared."""
    meeting = _activity(meeting)
    if now < meeting.starts_at:
        raise ValidationError(_("活动尚未开始，不能评定部门配合。"))
    _check_department(meeting, department)
    if grade and grade not in Coordination.values:
        raise ValidationError({"grade": _("未知的配合评定。")})
    row = None
    if not grade:
        ActivityCoordination.objects.filter(meeting=meeting, department=department).delete()
    else:
        row, _created = ActivityCoordination.objects.update_or_create(
            tenant_id=meeting.tenant_id, meeting=meeting, department=department,
            defaults={"grade": grade, "recorded_by": user, "recorded_at": now},
        )
    _changed(meeting, now)
    return row


@transaction.atomic
def activity_performance_save(*, meeting: Meeting, entries: list[dict], user, now: dt.datetime) -> int:
    """Many participants' performance in one go: ``{"person": id, "outstanding": bool, "concise_summary": bool,
    "note": str}`` each; all valid or none saved. A row is created only for an entry with something in it, an
    existing one is updated when it changed (one bulk insert and one bulk update). Returns the rows written."""
    meeting = _activity(meeting)
    if now < meeting.starts_at:
        raise ValidationError(_("活动尚未开始，不能记录表现。"))
    wanted = {}
    for entry in entries:
        person = entry.get("person")
        if person in wanted:
            raise ValidationError(_("同一人员出现了两次。"))
        wanted[person] = (bool(entry.get("outstanding")), bool(entry.get("concise_summary")),
                          _check_note(entry.get("note")))
    participants = set(Attendance.objects.filter(meeting=meeting, person_id__in=list(wanted)).values_list(
        "person_id", flat=True))
    if set(wanted) - participants:
        raise ValidationError(_("此人不是本次活动的参与人员。"))
    existing = {p.person_id: p for p in ActivityPerformance.objects.filter(meeting=meeting,
                                                                             person_id__in=list(wanted))}
    created, updated = [], []
    for person_id, values in wanted.items():
        row = existing.get(person_id)
        if row is None:
            if any(values):
                created.append(ActivityPerformance(
                    tenant_id=meeting.tenant_id, meeting=meeting, person_id=person_id, outstanding=values[0],
                    concise_summary=values[1], note=values[2], recorded_by=user, recorded_at=now))
        elif (row.outstanding, row.concise_summary, row.note) != values:
            row.outstanding, row.concise_summary, row.note = values
            row.recorded_by, row.recorded_at = user, now
            updated.append(row)
    ActivityPerformance.objects.bulk_create(created, batch_size=500)
    ActivityPerformance.objects.bulk_update(updated, ["outstanding", "concise_summary", "note", "recorded_by",
                                                      "recorded_at"], batch_size=500)
    if created or updated:
        _changed(meeting, now)
    return len(created) + len(updated)


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写方案或构想。")})
    return _check_note(title, "title")


@transaction.atomic
def activity_proposal_add(*, meeting: Meeting, person, title: str, user, now: dt.datetime, novel: bool = False,
                          adopted: bool = False) -> ActivityProposal:
    """A plan or idea a member of the organisation (on the activity's date) proposed for the activity:
    novel and feasible or not, adopted before the activity or not."""
    meeting = _activity(meeting)
    title = _check_title(title)
    if not _is_member(meeting, person):
        raise ValidationError({"person": _("提出人须为本组织在活动当天的成员。")})
    proposal = ActivityProposal.objects.create(tenant_id=meeting.tenant_id, meeting=meeting, person=person,
                                               title=title, novel=bool(novel), adopted=bool(adopted),
                                               recorded_by=user, recorded_at=now)
    _changed(meeting, now)
    return proposal


@transaction.atomic
def activity_proposal_update(*, proposal: ActivityProposal, novel: bool, adopted: bool, user, now: dt.datetime,
                             title: str | None = None) -> ActivityProposal:
    """Change whether a proposal is novel and adopted (and its title, when given)."""
    meeting = _activity(proposal.meeting)
    proposal.title = proposal.title if title is None else _check_title(title)
    proposal.novel, proposal.adopted = bool(novel), bool(adopted)
    proposal.recorded_by, proposal.recorded_at = user, now
    proposal.save(update_fields=["title", "novel", "adopted", "recorded_by", "recorded_at"])
    _changed(meeting, now)
    return proposal


@transaction.atomic
def activity_proposal_remove(*, proposal: ActivityProposal, now: dt.datetime) -> None:
    meeting = _activity(proposal.meeting)
    proposal.delete()
    _changed(meeting, now)


@transaction.atomic
def activity_participant_add(*, meeting: Meeting, person, now: dt.datetime) -> Attendance:
    """Add someone who took part without being expected: a current member of the organisation on the activity's
    date. Their attendance row is created unmarked, to be marked on the attendance page like the others."""
    meeting = _activity(meeting)
    if Attendance.objects.filter(meeting=meeting, person_id=person.pk).exists():
        raise ValidationError({"person": _("此人已经是本次活动的参与人员。")})
    if not _is_member(meeting, person):
        raise ValidationError({"person": _("参与人员须为本组织在活动当天的成员。")})
    row = Attendance.objects.create(tenant_id=meeting.tenant_id, meeting=meeting, person=person)
    _changed(meeting, now)
    return row
