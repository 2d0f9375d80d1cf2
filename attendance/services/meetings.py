"""Writes of attendance: sessions, marks, leave requests. Keyword-only, atomic, Chinese errors."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from attendance.models import (
    Attendance,
    AttendanceChange,
    Audience,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Status,
)
from attendance.selectors import late_threshold
from attendance.signals import notify
from members.selectors import memberships_on
from orgs.calendar import local_date
from orgs.pages import MAX_ID

#: Statuses an office may set from the attendance page.
MARKABLE = {Status.PRESENT, Status.LATE, Status.EARLY_LEAVE, Status.LEAVE, Status.ABSENT, Status.UNMARKED}


def expected_people(*, organisation, audience, department, chosen, on: dt.date) -> list[int]:
    """Ids of the people an audience means on ``on``: the organisation's or a department's current members, or
    the chosen people (who must be current members). Sessions and tasks (services/tasks.py) both use it."""
    current = memberships_on(organisation_ids=[organisation.pk], on=on)
    if audience == Audience.DEPARTMENT:
        current = current.filter(department=department)
    ids = list(current.order_by("person_id").values_list("person_id", flat=True).distinct())
    if audience == Audience.CHOSEN:
        chosen_ids = {p.pk for p in chosen}
        outside = chosen_ids - set(ids)
        if outside:
            raise ValidationError({"chosen": _("有 %(count)s 人不是本组织的现任成员。") % {"count": len(outside)}})
        ids = sorted(chosen_ids)
    return ids


def _check_meeting(*, organisation, kind, stars, starts_at, ends_at, audience, department, chosen):
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    if not 1 <= stars <= 5:
        errors["stars"] = _("星级为 1 到 5。")
    if department is not None and department.organisation_id != organisation.pk:
        errors["department"] = _("该部门不属于本组织。")
    if (kind == MeetingKind.DEPARTMENT or audience == Audience.DEPARTMENT) and department is None:
        errors["department"] = _("部门例会须选择部门。")
    if audience == Audience.CHOSEN and not chosen:
        errors["chosen"] = _("请选择应到人员。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(*, organisation, kind, title, stars, starts_at, ends_at, audience, user, place="",
                   now: dt.datetime, department=None, chosen=(), minutes_taker=None, series=None,
                   notify_facts=True) -> Meeting:
    """A session and its expected attendees (current members of the audience on the session's date). A session
    in the past changes facts (its unmarked rows break a month's full attendance): the listeners hear of it."""
    _check_meeting(organisation=organisation, kind=kind, stars=stars, starts_at=starts_at, ends_at=ends_at,
                   audience=audience, department=department, chosen=chosen)
    people = expected_people(organisation=organisation, audience=audience, department=department, chosen=chosen,
                             on=local_date(starts_at))
    meeting = Meeting.objects.create(
        tenant_id=organisation.tenant_id, organisation=organisation, kind=kind, title=title, stars=stars,
        starts_at=starts_at, ends_at=ends_at, place=place, audience=audience, department=department,
        minutes_taker=minutes_taker, series=series, created_by=user,
    )
    Attendance.objects.bulk_create(
        [Attendance(tenant_id=meeting.tenant_id, meeting=meeting, person_id=pk) for pk in people], batch_size=1000
    )
    if notify_facts and starts_at <= now:
        notify(organisation_id=organisation.pk, on=local_date(starts_at), now=now)
    return meeting


@transaction.atomic
def meeting_series_create(*, organisation, department, term, title, stars, starts_at, ends_at, user, now: dt.datetime,
                          place="", minutes_taker=None) -> MeetingSeries:
    """A weekly department meeting from ``starts_at`` to the end of the term, one session a week."""
    if department is None or department.organisation_id != organisation.pk:
        raise ValidationError({"department": _("该部门不属于本组织。")})
    if not term.start <= local_date(starts_at) <= term.end:
        raise ValidationError({"starts_at": _("第一次例会须在学期之内。")})
    series = MeetingSeries.objects.create(tenant_id=organisation.tenant_id, organisation=organisation,
                                          department=department, term=term, title=title)
    start, end, week = starts_at, ends_at, dt.timedelta(weeks=1)
    while local_date(start) <= term.end:
        meeting_create(organisation=organisation, kind=MeetingKind.DEPARTMENT, title=title, stars=stars,
                       starts_at=start, ends_at=end, audience=Audience.DEPARTMENT, department=department, user=user,
                       place=place, minutes_taker=minutes_taker, series=series, now=now, notify_facts=False)
        start, end = start + week, end + week
    if starts_at <= now:
        notify(organisation_id=organisation.pk, on=local_date(starts_at), now=now)
    return series


@transaction.atomic
def meeting_update(*, meeting: Meeting, title: str, stars: int, starts_at: dt.datetime, ends_at: dt.datetime,
                   place: str, minutes_taker, now: dt.datetime) -> Meeting:
    """Edit a session's title, stars, time, place and minutes-taker. The audience (and so the expected
    attendees, whose rows may already carry marks) is not editable: cancel and create a new session instead.
    A cancelled session can't be edited; the minutes-taker must be one of its expected attendees."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise ValidationError(_("会议已取消，不能修改。"))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写会议名称。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    if not 1 <= stars <= 5:
        errors["stars"] = _("星级为 1 到 5。")
    if minutes_taker is not None and not Attendance.objects.filter(meeting=meeting,
                                                                   person_id=minutes_taker.pk).exists():
        errors["minutes_taker"] = _("会议记录人须为本次会议的应到人员。")
    if errors:
        raise ValidationError(errors)
    before = local_date(meeting.starts_at)
    meeting.title, meeting.stars, meeting.place = title.strip(), stars, (place or "").strip()
    meeting.starts_at, meeting.ends_at, meeting.minutes_taker = starts_at, ends_at, minutes_taker
    meeting.save(update_fields=["title", "stars", "starts_at", "ends_at", "place", "minutes_taker"])
    for day in sorted({before, local_date(starts_at)}):  # stars and date decide points; a move may change terms
        notify(organisation_id=meeting.organisation_id, on=day, now=now)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, now: dt.datetime) -> Meeting:
    if meeting.is_cancelled:
        raise ValidationError(_("会议已经取消。"))
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("请填写取消原因。")})
    meeting.cancelled_at, meeting.cancel_reason = now, reason.strip()
    meeting.save(update_fields=["cancelled_at", "cancel_reason"])
    notify(organisation_id=meeting.organisation_id, on=local_date(meeting.starts_at), now=now)
    return meeting


#: The most minutes a late can be recorded with: beyond a day nobody was "late" (and the column is a small int).
MAX_LATE_MINUTES = 24 * 60


class StaleMark(ValidationError):
    """A mark made on a row another user has changed since the page showed it: nothing of the batch is saved.
    ``rows`` are the current rows (the page shows them and offers to apply the user's mark again)."""

    def __init__(self, rows: list[Attendance]):
        super().__init__(_("已被他人修改：页面已显示最新记录，如仍需更改请重新标记。"), code="stale")
        self.rows = rows


def valid_id(value) -> bool:
    """``value`` is a usable row id: a whole number (not a bool) that fits the database (``orgs.pages.MAX_ID``:
    a bigger one is refused, not sent to the database, where it would overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _resolve(status: str, late_minutes, *, meeting, now, threshold, by_clock=False) -> tuple[str, int | None, bool]:
    """The stored (status, minutes, late_as_absence) of a mark, or a Chinese ValidationError.

    ``by_clock``: the mark is the clock's own reading (self check-in, attendance/checkin.py): present before
    the start is allowed, and the late minutes are rounded up, so they may end just after ``now``."""
    if not isinstance(status, str) or status not in MARKABLE:
        raise ValidationError(_("未知的考勤状态。"))
    early_ok = by_clock and status == Status.PRESENT
    if status in (Status.PRESENT, Status.LATE, Status.EARLY_LEAVE) and now < meeting.starts_at and not early_ok:
        raise ValidationError(_("会议尚未开始，不能记录出席或迟到。"))
    if status != Status.LATE:
        return status, None, False
    if late_minutes is None or late_minutes == "":
        raise ValidationError(_("迟到须填写分钟数。"))
    if isinstance(late_minutes, bool) or (isinstance(late_minutes, float) and not late_minutes.is_integer()):
        raise ValidationError(_("迟到分钟数须为整数。"))
    try:
        minutes = int(late_minutes)  # a JSON 1e999 is an infinite float: OverflowError
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(_("迟到分钟数须为整数。")) from None
    if minutes < 0:
        raise ValidationError(_("迟到分钟数不能为负数。"))
    if minutes > MAX_LATE_MINUTES:
        raise ValidationError(_("迟到分钟数不能超过 %(n)s。") % {"n": MAX_LATE_MINUTES})
    if not by_clock and meeting.starts_at + dt.timedelta(minutes=minutes) > now:
        raise ValidationError(_("迟到时间不能晚于现在。"))
    if minutes > threshold:
        return Status.ABSENT, minutes, True
    return Status.LATE, minutes, False


def _locked_rows(*, meeting, person_ids) -> dict[int, Attendance]:
    """The meeting's rows of these people, locked until the transaction ends, always in the order of their
    keys, so two saves of overlapping rows wait for each other and never deadlock. (PostgreSQL: FOR NO KEY
    UPDATE, which still lets other rows reference them; SQLite has no row locks: its transactions take the
    database's write lock up front, ``transaction_mode`` in config/settings.py.)"""
    rows = Attendance.objects.select_for_update(no_key=True).filter(
        meeting=meeting, person_id__in=person_ids).order_by("pk")
    return {a.person_id: a for a in rows}


@transaction.atomic
def attendance_mark(*, meeting: Meeting, marks: list[dict], user, now: dt.datetime, via: str = "page",
                    by_clock: bool = False) -> list:
    """Set marks (``{"person": id, "status": …, "late_minutes": …, "version": …}``); all valid or none saved.

    The rows are locked while they are read and written, so concurrent saves never lose a mark and the change
    history stays a chain (each change's old value is the previous change's new one). ``version`` (optional)
    is the row's version the user saw: if another user changed the row since, the batch raises ``StaleMark``
    (nothing saved) instead of overwriting what the user never saw. A mark equal to the stored one changes
    nothing (a double submit is harmless, whatever its version); every real change is kept in
    ``AttendanceChange``. Returns the saved rows.
    """
    if meeting.is_cancelled:
        raise ValidationError(_("会议已取消，不能记录考勤。"))
    people = [m.get("person") for m in marks]
    if not all(valid_id(p) for p in people):
        raise ValidationError(_("此人不是本次会议的应到人员。"))
    if len(set(people)) != len(people):
        raise ValidationError(_("同一人在一次保存中只能出现一次。"))
    threshold = late_threshold(meeting)
    rows = _locked_rows(meeting=meeting, person_ids=people)
    changed, changes, stale = [], [], []
    for mark in marks:
        row = rows.get(mark["person"])
        if row is None:
            raise ValidationError(_("此人不是本次会议的应到人员。"))
        status, minutes, as_absence = _resolve(mark.get("status"), mark.get("late_minutes"), meeting=meeting,
                                               now=now, threshold=threshold, by_clock=by_clock)
        if (row.status, row.late_minutes, row.late_as_absence) == (status, minutes, as_absence):
            continue
        seen = mark.get("version")
        if seen is not None and seen != row.version:
            stale.append(row)
            continue
        changes.append(AttendanceChange(
            tenant_id=row.tenant_id, attendance=row, changed_by=user, changed_at=now, old_status=row.status,
            new_status=status, old_late_minutes=row.late_minutes, new_late_minutes=minutes, via=via,
        ))
        row.status, row.late_minutes, row.late_as_absence = status, minutes, as_absence
        row.updated_at, row.updated_by, row.version = now, user, row.version + 1
        changed.append(row)
    if stale:
        raise StaleMark(stale)
    # One UPDATE per distinct new value (a page's batch is mostly one status): far cheaper than bulk_update's
    # CASE expression per field and row.
    groups: dict[tuple, list[int]] = {}
    for row in changed:
        groups.setdefault((row.status, row.late_minutes, row.late_as_absence), []).append(row.pk)
    for (status, minutes, as_absence), pks in groups.items():
        for start in range(0, len(pks), 500):
            Attendance.objects.filter(pk__in=pks[start:start + 500]).update(
                status=status, late_minutes=minutes, late_as_absence=as_absence, updated_at=now, updated_by=user,
                version=F("version") + 1,
            )
    AttendanceChange.objects.bulk_create(changes, batch_size=1000)
    if changed:
        notify(organisation_id=meeting.organisation_id, on=local_date(meeting.starts_at), now=now)
    return [rows[m["person"]] for m in marks]


@transaction.atomic
def attendance_all_present(*, meeting: Meeting, user, now: dt.datetime) -> int:
    """Mark everyone still unmarked as present ("all present, then the exceptions"). The unmarked rows are
    locked as they are read (PostgreSQL re-checks "still unmarked" after waiting for another save), so a mark
    someone saves meanwhile is never overwritten."""
    unmarked = list(Attendance.objects.select_for_update(no_key=True).filter(
        meeting=meeting, status=Status.UNMARKED).order_by("pk").values_list("person_id", flat=True))
    attendance_mark(meeting=meeting, marks=[{"person": pk, "status": Status.PRESENT} for pk in unmarked], user=user,
                    now=now)
    return len(unmarked)


@transaction.atomic
def leave_request_create(*, attendance: Attendance, reason: str, user, now: dt.datetime) -> LeaveRequest:
    meeting = attendance.meeting
    if user.person_id != attendance.person_id:
        raise ValidationError(_("只能为自己请假。"))
    if meeting.is_cancelled:
        raise ValidationError(_("会议已取消。"))
    if now >= meeting.starts_at:
        raise ValidationError(_("会议已经开始，不能再请假；请联系办公室。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写请假事由。")})
    if LeaveRequest.objects.filter(attendance=attendance, status=LeaveStatus.PENDING).exists():
        raise ValidationError(_("已有一份待审批的请假申请。"))
    return LeaveRequest.objects.create(tenant_id=attendance.tenant_id, attendance=attendance, reason=reason.strip())


@transaction.atomic
def leave_request_decide(*, leave: LeaveRequest, approve: bool, user, now: dt.datetime, answer: str = ""):
    claimed = LeaveRequest.objects.filter(pk=leave.pk, status=LeaveStatus.PENDING).update(
        status=LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED, decided_by=user, decided_at=now,
        answer=answer.strip(),
    )
    if claimed != 1:
        raise ValidationError(_("这份请假申请已经审批过了。"))
    if approve:
        attendance = leave.attendance
        attendance_mark(meeting=attendance.meeting, marks=[{"person": attendance.person_id,
                                                            "status": Status.LEAVE}], user=user, now=now,
                        via="leave")
    leave.refresh_from_db()
    return leave
