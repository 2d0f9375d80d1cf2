"""Writes to people's places: memberships (OR-3) and role assignments ("Who uses it").

Every function is keyword-only and atomic, checks that all the objects it is given belong to one school
(and to the active tenant scope, if one is open), and raises ``ValidationError`` in Chinese.

Dates. ``end`` is always the *last* day a row holds (inclusive), as ``RoleAssignment.is_current`` reads it.

* ``membership_change_position(on=D)``: the new position starts on D; the old row ends on D − 1 day.
  History is never overwritten: the old row keeps its position and department and only gets its end.
* ``membership_leave(on=D)`` and ``role_end(on=D)``: D is the last day of the membership or role.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import get_scope

from members.imports.engine import apply_plan, plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import ImportFileError, read_table
from members.models import (
    ROLE_ALT_SCOPE,
    ROLE_SCOPE,
    ImportJob,
    ImportStatus,
    Membership,
    Role,
    RoleAssignment,
    Scope,
    User,
)
from members.policies import IMPORT_MAX_MB
from orgs.models import College, Department, Organisation, Room, SchoolClass, Tenant, Term
from orgs.selectors import policy_value
from orgs.tenancy import tenant_scope

#: The scope a role is bound to, by the type of the object it is bound to.
SCOPE_OF_MODEL: dict[type, str] = {
    Tenant: Scope.TENANT,
    College: Scope.COLLEGE,
    SchoolClass: Scope.CLASS,
    Organisation: Scope.ORGANISATION,
    Department: Scope.DEPARTMENT,
    Room: Scope.ROOM,
}

DEFAULT_CHANGE_REASON = "职务变动"


def _tenant_id(obj) -> int | None:
    return obj.pk if isinstance(obj, Tenant) else obj.tenant_id


def _one_tenant(*objects) -> int:
    """The one tenant all ``objects`` (None ignored) belong to; refuses a mix, or a tenant other than the scope's."""
    tenants = {_tenant_id(obj) for obj in objects if obj is not None}
    if len(tenants) != 1 or None in tenants:
        raise ValidationError(_("所选对象不属于同一所学校。"))
    (tenant_id,) = tenants
    active = get_scope()
    if active.get("_enabled", True) and active.get("tenant") is not None:
        scoped = active["tenant"] if isinstance(active["tenant"], list | tuple) else [active["tenant"]]
        if tenant_id not in {getattr(t, "pk", t) for t in scoped}:
            raise ValidationError(_("所选对象不属于当前学校。"))
    return tenant_id


def _check_in_organisation(organisation, *, department, position) -> None:
    errors = {}
    if department is not None and department.organisation_id != organisation.pk:
        errors["department"] = _("部门“%(department)s”不属于组织“%(organisation)s”。") % {
            "department": department.name, "organisation": organisation.name
        }
    if position.organisation_id != organisation.pk:
        errors["position"] = _("职务“%(position)s”不属于组织“%(organisation)s”。") % {
            "position": position.name, "organisation": organisation.name
        }
    if errors:
        raise ValidationError(errors)


def _check_in_term(day: dt.date, term: Term, field: str) -> None:
    if day > term.end:
        raise ValidationError({field: _("日期晚于学期“%(term)s”的结束日期。") % {"term": term.name}})


def _term_on(tenant_id: int, day: dt.date) -> Term:
    term = Term.objects.filter(tenant_id=tenant_id, start__lte=day, end__gte=day).order_by("-start").first()
    if term is None:
        raise ValidationError({"term": _("%(day)s 不在任何学期内，请指定学期。") % {"day": day.isoformat()}})
    return term


# --- memberships ---


@transaction.atomic
def membership_join(*, person, organisation, department, position, term: Term, start: dt.date) -> Membership:
    """A person joins an organisation (in a department, or none) with a position, from ``start``."""
    tenant_id = _one_tenant(person, organisation, department, position, term)
    _check_in_organisation(organisation, department=department, position=position)
    _check_in_term(start, term, "start")
    with tenant_scope(tenant_id):
        overlapping = Membership.objects.filter(person=person, organisation=organisation).filter(
            Q(end__isnull=True) | Q(end__gte=start)
        )
        if overlapping.exists():
            raise ValidationError(
                _("%(person)s 在该日期已是“%(organisation)s”的成员。")
                % {"person": person.name, "organisation": organisation.name}
            )
        membership = Membership(
            tenant_id=tenant_id, person=person, organisation=organisation, department=department,
            position=position, term=term, start=start,
        )
        membership.full_clean(exclude=["tenant"])
        membership.save()
    return membership


@transaction.atomic
def membership_change_position(
    *, membership: Membership, position, department, on: dt.date, reason: str = "", term: Term | None = None
) -> Membership:
    """A new position (and/or department) from ``on``: the current row ends the day before, a new row starts.

    ``term`` is the new row's term: by default the tenant's term that contains ``on``.
    """
    tenant_id = _one_tenant(membership, position, department, term)
    organisation = membership.organisation
    _check_in_organisation(organisation, department=department, position=position)
    with tenant_scope(tenant_id):
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.end is not None:
            raise ValidationError(_("该任职记录已结束，不能再变动。"))
        if on <= current.start:
            raise ValidationError({"on": _("变动日期必须晚于本次任职的起始日期 %(start)s。") % {
                "start": current.start.isoformat()
            }})
        if current.position_id == position.pk and current.department_id == getattr(department, "pk", None):
            raise ValidationError(_("职务和部门都没有变化。"))
        term = term or _term_on(tenant_id, on)
        _check_in_term(on, term, "on")
        current.end = on - dt.timedelta(days=1)
        current.end_reason = (reason or DEFAULT_CHANGE_REASON)[:100]
        current.full_clean(exclude=["tenant"])
        current.save(update_fields=["end", "end_reason"])
        successor = Membership(
            tenant_id=tenant_id, person_id=current.person_id, organisation=organisation, department=department,
            position=position, term=term, start=on,
        )
        successor.full_clean(exclude=["tenant"])
        successor.save()
    membership.end, membership.end_reason = current.end, current.end_reason
    return successor


@transaction.atomic
def membership_leave(*, membership: Membership, on: dt.date, reason: str) -> Membership:
    """The person leaves the organisation; ``on`` is their last day in it."""
    tenant_id = _one_tenant(membership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写离开原因。")})
    with tenant_scope(tenant_id):
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.end is not None:
            raise ValidationError(_("该任职记录已结束。"))
        if on < current.start:
            raise ValidationError({"on": _("离开日期不能早于本次任职的起始日期 %(start)s。") % {
                "start": current.start.isoformat()
            }})
        current.end, current.end_reason = on, reason
        current.full_clean(exclude=["tenant"])
        current.save(update_fields=["end", "end_reason"])
    membership.end, membership.end_reason = current.end, current.end_reason
    return current


# --- roles ---


def _scope_of(scope_object) -> str:
    if scope_object is None:
        return Scope.TENANT
    scope = SCOPE_OF_MODEL.get(type(scope_object))
    if scope is None:
        raise ValidationError(_("角色不能授予在“%(object)s”上。") % {"object": scope_object})
    return scope


@transaction.atomic
def role_assign(*, user, role: str, scope_object=None, start: dt.date, end: dt.date | None = None) -> RoleAssignment:
    """Grant ``role`` to ``user`` over ``scope_object`` (None or the tenant for a school-wide role)."""
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色：%(role)s") % {"role": role}})
    if user.tenant_id is None:
        raise ValidationError({"user": _("平台管理员或未分配学校的用户不能被授予学校角色。")})
    tenant_id = _one_tenant(user, scope_object)
    scope = _scope_of(scope_object)
    allowed = {ROLE_SCOPE[role], ROLE_ALT_SCOPE.get(role)} - {None}
    if scope not in allowed:
        raise ValidationError(
            _("角色“%(role)s”只能授予在%(allowed)s范围内，不能授予在%(scope)s范围内。")
            % {
                "role": Role(role).label,
                "allowed": "、".join(str(Scope(s).label) for s in sorted(allowed)),
                "scope": Scope(scope).label,
            }
        )
    if end is not None and end < start:
        raise ValidationError({"end": _("截止日期不能早于起始日期。")})
    target = {} if scope == Scope.TENANT else {scope: scope_object}
    with tenant_scope(tenant_id):
        same = RoleAssignment.objects.filter(user=user, role=role, **target).filter(
            Q(end__isnull=True) | Q(end__gte=start)
        )
        if scope == Scope.TENANT:
            same = same.filter(college=None, school_class=None, organisation=None, department=None, room=None)
        if end is not None:
            same = same.filter(start__lte=end)
        if same.exists():
            raise ValidationError(_("该用户在这段时间已拥有此角色。"))
        assignment = RoleAssignment(tenant_id=tenant_id, user=user, role=role, start=start, end=end, **target)
        assignment.full_clean(exclude=["tenant"])
        assignment.save()
    return assignment


@transaction.atomic
def role_end(*, assignment: RoleAssignment, on: dt.date) -> RoleAssignment:
    """The role ends; ``on`` is its last day."""
    tenant_id = _one_tenant(assignment)
    with tenant_scope(tenant_id):
        current = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if current.end is not None and current.end <= on:
            raise ValidationError(_("该角色已于 %(end)s 结束。") % {"end": current.end.isoformat()})
        if on < current.start:
            raise ValidationError({"on": _("结束日期不能早于起始日期 %(start)s。") % {
                "start": current.start.isoformat()
            }})
        current.end = on
        current.save(update_fields=["end"])
    assignment.end = current.end
    return current


@transaction.atomic
def account_invite(*, tenant: Tenant, username: str, full_name: str, role: str, start: dt.date):
    """Create an account with no usable password and a school-wide role; it is activated through a link.

    Used by the platform admin for a new school's first administrators. The account gets a password only
    when its holder opens the activation link (members.selectors.account_activation_path) and sets one.
    """
    if ROLE_SCOPE.get(role) != Scope.TENANT:
        raise ValidationError(_("只能邀请全校范围的角色。"))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(username)s”已被使用。") % {"username": username}})
    user = User(username=username, tenant=tenant, last_name=full_name, is_staff=role == Role.TENANT_ADMIN)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_assign(user=user, role=role, scope_object=tenant, start=start)
    return user


# --- imports (OR-4): upload → check (dry run) → commit, each step a service; the work runs in tasks ---


def _import_progress(job_id):
    def report(done, total):
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

    return report


def _changed_columns(layout, changed: dict) -> list[str]:
    headers = {column.key: str(column.header) for column in layout.columns}
    names = []
    for field_name in changed:
        key = {"floor_number": "floor"}.get(field_name, field_name.removesuffix("_id"))
        if key in headers and headers[key] not in names:
            names.append(headers[key])
    return names


@transaction.atomic
def import_job_create(*, tenant: Tenant, kind: str, upload, user, today: dt.date) -> ImportJob:
    """Keep the uploaded file and queue its check. Refuses a file over the school's size limit."""
    if kind not in LAYOUTS:
        raise ValidationError({"kind": _("未知的导入类型。")})
    limit_mb = policy_value(tenant=tenant, key=IMPORT_MAX_MB.key, on=today)
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError({"file": _("文件大小 %(size).1f MB，超过本校上限 %(limit)s MB。") % {
            "size": upload.size / 1024 / 1024, "limit": limit_mb}})
    if upload.size == 0:
        raise ValidationError({"file": _("文件是空的。")})
    job = ImportJob(tenant=tenant, kind=kind, original_name=upload.name[:200], uploaded_by=user)
    job.file.save(upload.name, upload, save=False)
    job.save()
    from members.tasks import import_check

    import_check.delay_on_commit(tenant.pk, job.pk)
    return job


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: read the file and plan the import against the school's rows; writes only the job."""
    layout = LAYOUTS[job.kind]
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle.read(), job.original_name, progress=_import_progress(job.pk))
        plan = plan_import(layout, job.tenant, table)  # a fraction of the reading time: no progress of its own
    except ImportFileError as error:
        job.status, job.message, job.counts, job.errors = ImportStatus.INVALID, str(error), {}, []
    else:
        job.total_rows = job.processed_rows = plan.total
        job.counts = plan.counts()
        job.errors = [e.as_dict() for e in plan.errors]
        job.samples = [{"row": row, "key": key, "columns": _changed_columns(layout, changed)}
                       for row, key, changed in plan.samples]
        job.status = ImportStatus.CHECKED if plan.ok else ImportStatus.INVALID
        job.message = ""
    job.checked_at = timezone.now()
    job.save(update_fields=["status", "message", "counts", "errors", "samples", "total_rows", "processed_rows",
                            "checked_at"])
    return job


def import_job_commit(*, job: ImportJob, user) -> ImportJob:
    """Confirm a checked import; the commit itself runs in a task. A second submit changes nothing."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, committed_by=user, processed_rows=0
    )
    if claimed != 1:
        raise ValidationError(_("这个导入不在“待确认”状态，不能再次提交。"))
    from members.tasks import import_commit

    transaction.on_commit(lambda: import_commit.delay(job.tenant_id, job.pk))
    job.refresh_from_db()
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Commit: read and plan again against the rows as they are now, then write everything or nothing."""
    layout = LAYOUTS[job.kind]
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle.read(), job.original_name, progress=_import_progress(job.pk))
        plan = plan_import(layout, job.tenant, table)
        if not plan.ok:  # the school's rows changed since the check
            job.status, job.counts = ImportStatus.INVALID, plan.counts()
            job.errors = [e.as_dict() for e in plan.errors]
            job.message = _("检查之后数据有变化，出现了错误；没有导入任何数据。")
        else:
            job.counts = apply_plan(layout, job.tenant, plan)
            job.status, job.message = ImportStatus.DONE, ""
    except ImportFileError as error:
        job.status, job.message = ImportStatus.FAILED, str(error)
    except Exception:
        job.status, job.message = ImportStatus.FAILED, _("导入时发生内部错误，没有导入任何数据。")
        ImportJob.objects.filter(pk=job.pk).update(status=job.status, message=job.message, finished_at=timezone.now())
        raise
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "counts", "errors", "finished_at"])
    return job
