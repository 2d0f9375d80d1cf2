"""Writes of tasks (日常任务, SPEC AT-5; 000 第五条 2): the office assigns a task with a deadline, each assignee
acknowledges it (答收到) and submits once (a note and files), the office grades the submission. Keyword-only,
atomic, Chinese errors.

The exact times of acknowledgement and submission and the grade are what the scoring engine reads (SPEC SC-5:
first on-time submitter, late, never submitted, quality); nothing here computes points, but every write that
changes them sends ``facts_changed`` (attendance/signals.py) inside its transaction, dated by the task's deadline
(which decides its term), like the services of meetings.py. A submission after the deadline is accepted and stays
late (``TaskAssignment.is_late``).
"""

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import Audience, Grade, Task, TaskAssignment, TaskAttachment
from attendance.policies import TASK_ATTACHMENT_MAX_MB
from attendance.services.meetings import expected_people
from attendance.signals import notify
from orgs.calendar import local_date
from orgs.selectors import policy_value
from orgs.uploads import content_error

#: At most this many files with one submission.
MAX_FILES = 5
#: What a task's files may be: documents, spreadsheets, slides, pictures, archives and plain text; each file's
#: content must match its extension (orgs.uploads.content_error).
ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "jpg", "jpeg", "png",
                    "gif", "webp", "heic", "zip", "rar", "7z", "txt", "csv", "md")


def _check_task(*, organisation, title, deadline, audience, department, chosen, now):
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写任务名称。")
    if deadline <= now:
        errors["deadline"] = _("截止时间必须晚于现在。")
    if audience not in Audience.values:
        errors["audience"] = _("未知的布置对象。")
    if department is not None and department.organisation_id != organisation.pk:
        errors["department"] = _("该部门不属于本组织。")
    elif audience == Audience.DEPARTMENT and department is None:
        errors["department"] = _("布置给一个部门时须选择部门。")
    if audience == Audience.CHOSEN and not chosen:
        errors["chosen"] = _("请选择布置对象。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_create(*, organisation, title, deadline: dt.datetime, audience, user, now: dt.datetime, description="",
                department=None, chosen=()) -> Task:
    """A task and one assignment per current member of the audience (a department, the whole organisation or
    chosen members) on the day it is assigned. The deadline must be after ``now``."""
    _check_task(organisation=organisation, title=title, deadline=deadline, audience=audience,
                department=department, chosen=chosen, now=now)
    department = department if audience == Audience.DEPARTMENT else None
    people = expected_people(organisation=organisation, audience=audience, department=department, chosen=chosen,
                             on=local_date(now))
    if not people:
        raise ValidationError({"audience": _("布置对象中没有现任成员。")})
    task = Task.objects.create(
        tenant_id=organisation.tenant_id, organisation=organisation, department=department, title=title.strip(),
        description=(description or "").strip(), deadline=deadline, audience=audience, created_by=user,
        created_at=now,
    )
    TaskAssignment.objects.bulk_create(
        [TaskAssignment(tenant_id=task.tenant_id, task=task, person_id=pk) for pk in people], batch_size=1000
    )
    _notify(task, now=now)
    return task


def _notify(task: Task, *, now: dt.datetime, deadline: dt.datetime | None = None) -> None:
    notify(organisation_id=task.organisation_id, on=local_date(deadline or task.deadline), now=now)


@transaction.atomic
def task_update(*, task: Task, title: str, description: str, deadline: dt.datetime, now: dt.datetime) -> Task:
    """Edit a task's title, requirements and deadline (e.g. extend it). A new deadline must be after ``now``;
    the assignees are not editable (cancel and assign a new task instead). A cancelled task can't be edited."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_cancelled:
        raise ValidationError(_("任务已取消，不能修改。"))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写任务名称。")
    if deadline != task.deadline and deadline <= now:
        errors["deadline"] = _("新的截止时间必须晚于现在。")
    if errors:
        raise ValidationError(errors)
    before = task.deadline
    task.title, task.description, task.deadline = title.strip(), (description or "").strip(), deadline
    task.save(update_fields=["title", "description", "deadline"])
    if deadline != before:  # the deadline decides late and never-submitted, and may move the task to another term
        for moment in sorted({before, deadline}):
            _notify(task, now=now, deadline=moment)
    return task


@transaction.atomic
def task_cancel(*, task: Task, reason: str, now: dt.datetime) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_cancelled:
        raise ValidationError(_("任务已经取消。"))
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": _("请填写取消原因。")})
    task.cancelled_at, task.cancel_reason = now, reason.strip()
    task.save(update_fields=["cancelled_at", "cancel_reason"])
    _notify(task, now=now)
    return task


def _locked_task(assignment: TaskAssignment) -> Task:
    """The assignment's task as it is now, locked: one cancelled or moved meanwhile is seen as such."""
    return Task.objects.select_for_update().get(pk=assignment.task_id)


def _own(assignment: TaskAssignment, user, message: str) -> None:
    if user.person_id is None or user.person_id != assignment.person_id:
        raise ValidationError(message)


@transaction.atomic
def task_acknowledge(*, assignment: TaskAssignment, user, now: dt.datetime) -> TaskAssignment:
    """The assignee answers 答收到: the time is kept. Only one's own; a second time changes nothing."""
    _own(assignment, user, _("只能对自己的任务答收到。"))
    assignment.task = _locked_task(assignment)
    if assignment.task.is_cancelled:
        raise ValidationError(_("任务已取消。"))
    claimed = TaskAssignment.objects.filter(pk=assignment.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now)
    if claimed != 1:
        raise ValidationError(_("你已经答收到了，无需重复。"))
    assignment.refresh_from_db()
    _notify(assignment.task, now=now)
    return assignment


def _short(name: str) -> str:
    """The original file name as kept (at most 200 characters, the extension kept)."""
    name = PurePath(name or "").name or _("附件")
    if len(name) <= 200:
        return name
    suffix = PurePath(name).suffix[:20]
    return name[:200 - len(suffix)] + suffix


def _check_files(files, *, max_mb: int) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("最多上传 %(n)s 个文件。") % {"n": MAX_FILES}})
    errors = []
    for upload in files:
        if not upload.size:
            errors.append(_("文件“%(name)s”是空的。") % {"name": _short(upload.name)})
        elif upload.size > max_mb * 1024 * 1024:
            errors.append(_("文件“%(name)s”超过 %(mb)s MB 的上限。") % {"name": _short(upload.name), "mb": max_mb})
        elif refused := content_error(upload, ATTACHMENT_TYPES):
            errors.append(refused)
    if errors:
        raise ValidationError({"files": errors})


@transaction.atomic
def task_submit(*, assignment: TaskAssignment, user, now: dt.datetime, note: str = "", files=()) -> TaskAssignment:
    """The assignee submits, once: a note and 0–5 files, each at most the school's policy
    (``attendance.task_attachment_max_mb``) and not empty. After the deadline it is accepted and stays late.
    Submitting also answers 答收到 if that was not done. A second submission is refused and changes nothing."""
    _own(assignment, user, _("只能提交自己的任务。"))
    assignment.task = _locked_task(assignment)
    if assignment.task.is_cancelled:
        raise ValidationError(_("任务已取消，不能提交。"))
    if assignment.submitted_at is not None:
        raise ValidationError(_("已经提交过，不能重复提交。"))
    files = list(files)
    _check_files(files, max_mb=policy_value(tenant=assignment.tenant_id, key=TASK_ATTACHMENT_MAX_MB.key,
                                            on=local_date(now)))
    claimed = TaskAssignment.objects.filter(pk=assignment.pk, submitted_at__isnull=True).update(
        submitted_at=now, note=(note or "").strip())
    if claimed != 1:  # submitted meanwhile (a double click from two tabs)
        raise ValidationError(_("已经提交过，不能重复提交。"))
    TaskAssignment.objects.filter(pk=assignment.pk, acknowledged_at__isnull=True).update(acknowledged_at=now)
    for upload in files:
        TaskAttachment.objects.create(tenant_id=assignment.tenant_id, assignment=assignment, file=upload,
                                      name=_short(upload.name), size=upload.size, uploaded_at=now)
    assignment.refresh_from_db()
    _notify(assignment.task, now=now)
    return assignment


@transaction.atomic
def task_grade(*, assignment: TaskAssignment, grade: str, user, now: dt.datetime) -> TaskAssignment:
    """The office grades a submission (优/良/一般/差). Only a submitted assignment of a task still in force; a new
    grade replaces the old one, the same grade again changes nothing."""
    if grade not in Grade.values:
        raise ValidationError({"grade": _("未知的评定等级。")})
    assignment = TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    if assignment.task.is_cancelled:
        raise ValidationError(_("任务已取消，不能评定。"))
    if assignment.submitted_at is None:
        raise ValidationError(_("尚未提交，不能评定。"))
    if assignment.grade == grade:
        return assignment
    assignment.grade, assignment.graded_by, assignment.graded_at = grade, user, now
    assignment.save(update_fields=["grade", "graded_by", "graded_at"])
    _notify(assignment.task, now=now)
    return assignment
