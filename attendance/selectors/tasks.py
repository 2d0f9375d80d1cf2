"""Reads of tasks (日常任务, AT-5), with the user explicit: which tasks, which assignees and which files a user
may see.

Office and presidium see every task of their organisation and all its assignees; the school's admin sees all.
A department head sees their department's tasks, the whole organisation's, and tasks for chosen people with
one of their department's members among them — and of any of these, only their own department's assignees. An
officer sees no task list: their own assignments are on their own page (``my_tasks``).
"""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from attendance.models import Audience, Task, TaskAssignment, TaskAttachment
from attendance.selectors.meetings import _scopes
from members.models import Membership
from members.selectors import department_member_ids
from orgs.models import Department


def _department_members(departments) -> QuerySet:
    """The people currently in one of ``departments`` (a subquery: no query of its own)."""
    return department_member_ids(department_ids=departments)


def _organisations_of(departments) -> QuerySet:
    return Department.objects.filter(pk__in=departments).values("organisation_id")


def can_manage_task(user, task: Task) -> bool:
    """The office of the task's organisation assigns, edits, cancels and grades it."""
    return task.organisation_id in _scopes(user)[0]


def sees_all_assignees(user, task: Task) -> bool:
    """Office, presidium and the school's admin see every assignee of a task; a department head only some."""
    recorder, viewer, _departments, everything = _scopes(user)
    return everything or task.organisation_id in recorder | viewer


def tasks_visible_to(user) -> QuerySet[Task]:
    recorder, viewer, departments, everything = _scopes(user)
    if everything:
        return Task.objects.all()
    q = Q(organisation_id__in=recorder | viewer)
    if departments:
        with_member = Exists(TaskAssignment.objects.filter(task=OuterRef("pk"),
                                                           person_id__in=_department_members(departments)))
        q |= Q(department_id__in=departments) | (
            Q(organisation_id__in=_organisations_of(departments))
            & (Q(audience=Audience.ORGANISATION) | with_member)
        )
    return Task.objects.filter(q)


def _assignment_q(user, prefix: str = "") -> Q:
    """Which assignments (``prefix`` leads from the queried model to one) the user may see: every assignee of
    the tasks of their office or presidium, their department's members in their department head's organisation,
    and their own."""
    recorder, viewer, departments, everything = _scopes(user)
    if everything:
        return Q()
    q = Q(**{f"{prefix}task__organisation_id__in": recorder | viewer})
    if departments:
        q |= Q(**{f"{prefix}person_id__in": _department_members(departments),
                  f"{prefix}task__organisation_id__in": _organisations_of(departments)})
    if user.person_id is not None:
        q |= Q(**{f"{prefix}person_id": user.person_id})
    return q


def assignments_visible_to(user) -> QuerySet[TaskAssignment]:
    """Assignments the user may see (and so act on, if the rules let them): a foreign or invisible one is a 404."""
    return TaskAssignment.objects.filter(_assignment_q(user))


def attachments_downloadable_by(user) -> QuerySet[TaskAttachment]:
    """The assignee's own files; every file of their organisation's tasks for the office, the presidium and the
    school's admin; a department head: the files of their department's members."""
    return TaskAttachment.objects.filter(_assignment_q(user, "assignment__"))


def task_list(*, user, organisation_id=None, department_id=None, state: str | None = None, now: dt.datetime):
    """The tasks the user may see, each with the counts of its visible assignees: ``assigned``, ``acknowledged``,
    ``submitted``, ``late`` (submitted after the deadline) and ``graded``. One query (plus the page's count).
    ``state``: "open" (not cancelled, deadline ahead) or "closed" (cancelled or past the deadline)."""
    recorder, viewer, departments, everything = _scopes(user)
    seen = Q() if everything else Q(organisation_id__in=recorder | viewer)
    if departments and not everything:
        seen |= Q(assignments__person_id__in=_department_members(departments))

    def count(extra=None):
        condition = seen & extra if extra is not None else seen
        return Count("assignments", filter=condition or None)

    tasks = tasks_visible_to(user).select_related("organisation", "department").annotate(
        assigned=count(),
        acknowledged=count(Q(assignments__acknowledged_at__isnull=False)),
        submitted=count(Q(assignments__submitted_at__isnull=False)),
        late=count(Q(assignments__submitted_at__gt=F("deadline"))),
        graded=count(~Q(assignments__grade="")),
    )
    if organisation_id:
        tasks = tasks.filter(organisation_id=organisation_id)
    if department_id:
        tasks = tasks.filter(department_id=department_id)
    if state == "open":
        tasks = tasks.filter(cancelled_at__isnull=True, deadline__gt=now)
    elif state == "closed":
        tasks = tasks.filter(Q(cancelled_at__isnull=False) | Q(deadline__lte=now))
    return tasks.order_by("-deadline", "-pk")


def _attachments() -> Prefetch:
    return Prefetch("attachments", queryset=TaskAttachment.objects.order_by("uploaded_at", "pk"))


def task_assignments(*, user, task: Task) -> QuerySet[TaskAssignment]:
    """The assignees of a task the user may see, with their people, their files and ``department_name`` (their
    current department in the task's organisation). Two queries, whatever the size."""
    rows = TaskAssignment.objects.filter(task=task)
    if not sees_all_assignees(user, task):
        rows = rows.filter(person_id__in=_department_members(_scopes(user)[2]))
    department = Membership.objects.filter(person_id=OuterRef("person_id"), organisation_id=task.organisation_id,
                                           end__isnull=True).order_by("-start", "-pk").values("department__name")
    return rows.select_related("person").prefetch_related(_attachments()).annotate(
        department_name=Subquery(department[:1])).order_by("person__number", "pk")


def my_tasks(*, user, since: dt.date | None = None) -> QuerySet[TaskAssignment]:
    """A member's own assignments (with their task, its organisation and their files), latest deadline first;
    ``since``: only tasks due on or after that day."""
    if user.person_id is None:
        return TaskAssignment.objects.none()
    rows = TaskAssignment.objects.filter(person_id=user.person_id).select_related(
        "task__organisation").prefetch_related(_attachments())
    if since:
        rows = rows.filter(task__deadline__date__gte=since)
    return rows.order_by("-task__deadline", "-pk")
