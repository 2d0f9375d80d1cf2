"""Tasks (日常任务, SPEC AT-5): the task list and a task's page with every assignee; assigning, editing, cancelling
and grading (the office of the task's organisation); a member's 答收到 and submission (on their own page,
templates/attendance/_my_tasks.html); the download of a submitted file.

A task, an assignment or a file the user may not see is missing: they are fetched through ``tasks_visible_to``,
``assignments_visible_to`` and ``attachments_downloadable_by``, so an invisible one is a 404 like another
school's. Seen but not the user's to change is a 403 (a department head grading, an office answering for a
member). The services validate everything; their Chinese messages are shown as they are.

Grades are posted by a small form per row; static/js/tasks.js sends it without reloading the page (the view
then answers JSON).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import access, selectors, services
from attendance.forms import CancelForm, TaskEditForm, TaskFilterForm, TaskForm, TaskSubmitForm, default_deadline
from attendance.models import Grade
from attendance.policies import TASK_ATTACHMENT_MAX_MB
from orgs.calendar import local_date
from orgs.pages import paginate, pk_of
from orgs.selectors import policy_value
from orgs.tenancy import get_object_or_404
from orgs.uploads import upload_limit, upload_refused
from orgs.web import error_text, requires

# --- access helpers: a missing, a foreign and an invisible id are the same 404 ---


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- the office's pages ---


@requires("attendance.list_tasks")
def task_list(request):
    form = TaskFilterForm(request.GET)
    filters, now = form.filters(), timezone.now()
    tasks = selectors.task_list(
        user=request.user, organisation_id=pk_of(filters.get("organisation")),
        department_id=pk_of(filters.get("department")), state=filters.get("state"), now=now,
    )
    return render(request, "attendance/task_list.html", {"form": form, "page": paginate(request, tasks), "now": now})


@requires("attendance.add_task")
@require_http_methods(["GET", "POST"])
def task_create(request):
    form = TaskForm(request.POST if request.method == "POST" else None, user=request.user,
                    initial={"deadline": default_deadline()})
    if form.is_valid():
        try:
            task = services.task_create(user=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已布置任务：%(title)s，共 %(n)s 人。") % {
                "title": task.title, "n": task.assignments.count()})
            return redirect("attendance:task_detail", task_id=task.pk)
    return render(request, "attendance/task_form.html", {"form": form})


@login_required
def task_detail(request, task_id):
    """Every assignee the user may see: 答收到 and submission times, late, note, files, grade (a control per row
    for the office). A constant number of queries: the task, its rows with their people, their files."""
    task = access.task_for_user(request.user, task_id)
    manager = request.user.has_perm("attendance.manage_task", task)
    rows = list(selectors.task_assignments(user=request.user, task=task))
    counts = {
        "assigned": len(rows), "acknowledged": sum(r.acknowledged_at is not None for r in rows),
        "submitted": sum(r.submitted_at is not None for r in rows),
        "late": sum(r.submitted_at is not None and r.submitted_at > task.deadline for r in rows),
        "graded": sum(bool(r.grade) for r in rows),
    }
    for row in rows:
        row.task = task  # is_late() reads the deadline without a query per row
    return render(request, "attendance/task_detail.html", {
        "task": task, "rows": rows, "counts": counts, "grades": Grade.choices, "now": timezone.now(),
        "manager": manager and not task.is_cancelled, "cancel_form": CancelForm(),
        "partial": not selectors.sees_all_assignees(request.user, task),
    })


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, task_id):
    """Edit a task's title, requirements and deadline (e.g. extend it). Only the office of its organisation; a
    cancelled task is refused."""
    task = access.task_for_manager(request.user, task_id)
    if task.is_cancelled:
        messages.error(request, _("任务已取消，不能修改。"))
        return redirect("attendance:task_detail", task_id=task.pk)
    form = TaskEditForm(request.POST if request.method == "POST" else None, initial=TaskEditForm.initial_of(task))
    if form.is_valid():
        try:
            services.task_update(task=task, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存任务：%(title)s。") % {"title": form.cleaned_data["title"]})
            return redirect("attendance:task_detail", task_id=task.pk)
    return render(request, "attendance/task_edit.html", {"form": form, "task": task})


@login_required
@require_POST
def task_cancel(request, task_id):
    task = access.task_for_manager(request.user, task_id)
    try:
        services.task_cancel(task=task, reason=request.POST.get("reason", ""), now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("任务已取消。"))
    return redirect("attendance:task_detail", task_id=task.pk)


@login_required
@require_POST
def task_grade(request, taskassignment_id):
    """``grade`` (excellent/good/average/poor) of one submitted assignment. With ``Accept: application/json``
    (static/js/tasks.js) the answer is JSON — the saved grade, or a 400 with the Chinese message."""
    assignment = access.assignment_for_user(request.user, taskassignment_id)
    if not request.user.has_perm("attendance.manage_task", assignment.task):
        raise PermissionDenied
    try:
        row = services.task_grade(assignment=assignment, grade=request.POST.get("grade", ""), user=request.user,
                                  now=timezone.now())
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"error": error_text(error)}, status=400)
        messages.error(request, error_text(error))
    else:
        if _wants_json(request):
            return JsonResponse({"grade": row.grade, "grade_label": row.get_grade_display()})
        messages.success(request, _("已评定 %(name)s：%(grade)s。") % {
            "name": assignment.person.name, "grade": row.get_grade_display()})
    url = reverse("attendance:task_detail", kwargs={"task_id": assignment.task_id})
    return redirect(f"{url}#assignment-{assignment.pk}")


# --- the member's side: on their own page (my_attendance) ---


def my_tasks_context(user, *, since, now) -> dict:
    """What templates/attendance/_my_tasks.html needs on the member's own page: open tasks (not submitted, not
    cancelled; the nearest deadline first) and past ones (submitted or cancelled)."""
    rows = list(selectors.my_tasks(user=user, since=since))
    open_tasks = [row for row in reversed(rows) if row.submitted_at is None and not row.task.is_cancelled]
    past_tasks = [row for row in rows if row.submitted_at is not None or row.task.is_cancelled]
    for row in open_tasks:
        row.overdue = now > row.task.deadline
    max_mb = policy_value(tenant=user.tenant_id, key=TASK_ATTACHMENT_MAX_MB.key, on=local_date(now))
    return {"open_tasks": open_tasks, "past_tasks": past_tasks, "task_form": TaskSubmitForm(),
            "task_max_files": services.MAX_FILES, "task_max_mb": max_mb}


def _to_my_tasks():
    return redirect(reverse("attendance:my_attendance") + "#tasks")


@requires("attendance.view_own")
@require_POST
def task_acknowledge(request, taskassignment_id):
    assignment = access.own_assignment(request.user, taskassignment_id)
    try:
        services.task_acknowledge(assignment=assignment, user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已答收到：%(title)s。") % {"title": assignment.task.title})
    return _to_my_tasks()


def _attachment_limit_mb(request) -> int:
    """The school's limit for one task file, read while the upload arrives (orgs.uploads)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return TASK_ATTACHMENT_MAX_MB.default
    return policy_value(tenant=tenant, key=TASK_ATTACHMENT_MAX_MB.key, on=local_date(timezone.now()))


@upload_limit(_attachment_limit_mb, max_files=services.MAX_FILES)
@requires("attendance.view_own")
@require_POST
def task_submit(request, taskassignment_id):
    """A note and 0–5 files (multipart), once. The service refuses a second submission, a cancelled task, too
    many files, an empty or too large file, a file whose content is not its extension's — nothing is saved then.
    A file past the school's limit is stopped while it arrives (orgs.uploads): nothing is saved either."""
    assignment = access.own_assignment(request.user, taskassignment_id)
    if refused := upload_refused(request):
        messages.error(request, refused)
        return _to_my_tasks()
    form = TaskSubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_my_tasks()
    try:
        row = services.task_submit(assignment=assignment, user=request.user, now=timezone.now(),
                                   note=form.cleaned_data["note"], files=form.cleaned_data["files"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if row.is_late():
            messages.warning(request, _("已提交：%(title)s。已超过截止时间，记为逾期提交。") % {
                "title": assignment.task.title})
        else:
            messages.success(request, _("已提交：%(title)s。") % {"title": assignment.task.title})
    return _to_my_tasks()


# --- files ---


@login_required
def task_attachment(request, taskattachment_id):
    """The file as it was handed in, under its original name (never in the URL: the id is). The assignee, the
    office, presidium and school's admin of the organisation and the assignee's department head; others 404."""
    attachment = get_object_or_404(selectors.attachments_downloadable_by(request.user), pk=taskattachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404() from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Cache-Control"] = "private, no-store"
    return response
