"""Writes to people and their places: people and their login accounts (OR-4), memberships (OR-3) and role
assignments ("Who uses it"). The Django admin writes people and new accounts through these services too.

Every function is keyword-only and atomic, checks that all the objects it is given belong to one school
(and to the active tenant scope, if one is open: ``orgs.services.one_tenant``), and raises ``ValidationError`` in
Chinese.

Dates. ``end`` is always the *last* day a row holds (inclusive), as ``RoleAssignment.is_current`` reads it.

* ``membership_change_position(on=D)``: the new position starts on D; the old row ends on D − 1 day.
  History is never overwritten: the old row keeps its position and department and only gets its end.
* ``membership_leave(on=D)`` and ``role_end(on=D)``: D is the last day of the membership or role.
"""

import datetime as dt
import logging
import threading
from contextlib import contextmanager
from logging import getLogger

from axes.utils import reset as axes_reset
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from members.imports.engine import apply_plan, plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import CODECS, COLUMN_MARGIN, ImportFileError, Table, read_table
from members.models import (
    ROLE_ALT_SCOPE,
    ROLE_SCOPE,
    ImportJob,
    ImportStatus,
    Membership,
    Person,
    PersonKind,
    PoliticalStatus,
    Role,
    RoleAssignment,
    Scope,
    User,
)
from members.policies import IMPORT_MAX_MB, IMPORT_MAX_ROWS
from members.selectors import account_activation_path
from orgs.calendar import local_date
from orgs.models import College, Department, Organisation, Room, SchoolClass, Tenant, Term
from orgs.selectors import policy_value
from orgs.services import one_tenant
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

logger = getLogger(__name__)

audit = logging.getLogger("campus.audit")


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
    tenant_id = one_tenant(person, organisation, department, position, term)
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
    tenant_id = one_tenant(membership, position, department, term)
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
    tenant_id = one_tenant(membership)
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
    tenant_id = one_tenant(user, scope_object)
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
    tenant_id = one_tenant(assignment)
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


# --- people and their accounts ---


def person_check(*, tenant_id: int, number: str, gender: str, college, major, school_class, enrolment_year,
                 room, person: Person | None = None) -> None:
    """A person's number is free in the school, and their college, major, class and room agree: the major is the
    college's, the class the major's (and so the college's, with its enrolment year), the room of their gender.
    Shared by ``person_create``/``person_update`` and the admin's form; raises one error per field. (The imports
    check the same things row by row against lookups of the whole school: members/imports/layouts.py.)"""
    errors = {}
    with tenant_scope(tenant_id):
        taken = Person.objects.filter(number=number)
        if person is not None and person.pk is not None:
            taken = taken.exclude(pk=person.pk)
        if number and taken.exists():
            errors["number"] = _("学号/工号“%(number)s”在本校已存在。") % {"number": number}
    if major is not None and college is not None and major.college_id != college.pk:
        errors["major"] = _("该专业不属于所选学院。")
    if school_class is not None:
        if major is not None and school_class.major_id != major.pk:
            errors["school_class"] = _("该班级不属于所选专业。")
        elif college is not None and school_class.college_id != college.pk:
            errors["school_class"] = _("该班级不属于所选学院。")
        elif enrolment_year is not None and enrolment_year != school_class.enrolment_year:
            errors["enrolment_year"] = _("入学年份与班级的入学年份（%(year)s）不一致。") % {
                "year": school_class.enrolment_year}
    if room is not None and gender and room.gender != gender:
        errors["room"] = _("寝室性别与本人性别不符。")
    if errors:
        raise ValidationError(errors)


PERSON_FIELDS = ("number", "name", "kind", "gender", "college", "major", "school_class", "enrolment_year", "room",
                 "political_status")


def _person_save(person: Person, tenant_id: int, fields: dict, update_fields=None) -> Person:
    fields = {**fields, "number": (fields.get("number") or "").strip(), "name": (fields.get("name") or "").strip()}
    person_check(tenant_id=tenant_id, person=person, **{
        name: fields.get(name) for name in ("number", "gender", "college", "major", "school_class",
                                            "enrolment_year", "room")})
    for name, value in fields.items():
        setattr(person, name, value)
    with tenant_scope(tenant_id):
        person.full_clean()
        person.save(update_fields=update_fields)
    return person


@transaction.atomic
def person_create(*, tenant: Tenant, number: str, name: str, gender: str, kind: str = PersonKind.STUDENT,
                  college=None, major=None, school_class=None, enrolment_year: int | None = None, room=None,
                  political_status: str = PoliticalStatus.MASSES) -> Person:
    """A student or member of staff of one school (its number unique there)."""
    tenant_id = one_tenant(tenant, college, major, school_class, room)
    fields = {"number": number, "name": name, "kind": kind, "gender": gender, "college": college, "major": major,
              "school_class": school_class, "enrolment_year": enrolment_year, "room": room,
              "political_status": political_status}
    return _person_save(Person(tenant_id=tenant_id), tenant_id, fields)


@transaction.atomic
def person_update(*, person: Person, number: str, name: str, gender: str, kind: str, college, major, school_class,
                  enrolment_year: int | None, room, political_status: str) -> Person:
    tenant_id = one_tenant(person, college, major, school_class, room)
    fields = {"number": number, "name": name, "kind": kind, "gender": gender, "college": college, "major": major,
              "school_class": school_class, "enrolment_year": enrolment_year, "room": room,
              "political_status": political_status}
    return _person_save(person, tenant_id, fields, update_fields=list(PERSON_FIELDS))


@transaction.atomic
def account_create(*, tenant: Tenant, username: str, person: Person | None = None, password: str | None = None,
                   is_staff: bool = False) -> User:
    """A login account of the school, for ``person`` (of the same school; one account per person). Without a
    ``password`` it has no usable one until it is activated. The username must not look like a number
    (``username_check_not_number``) and is unique across schools (logins happen before a school is known)."""
    tenant_id = one_tenant(tenant, person)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    username_check_not_number(username)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(username)s”已被使用。") % {"username": username}})
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person": _("%(person)s 已有登录账号。") % {"person": person}})
    user = User(username=username, tenant_id=tenant_id, person=person, is_staff=is_staff)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def username_check_not_number(username: str) -> None:
    """A username must not look like a student/staff number: all digits, or the number of a person in any
    school. Otherwise one school's account named ``20250501001`` would shadow another school's student who
    logs in with that number (members.backends.resolve_login). Called wherever a username is created or
    renamed (the invitation, the admin's user forms)."""
    if not username:
        return
    with scopes_disabled():
        is_a_number = Person.objects.filter(number=username).exists()
    if username.isdigit() or is_a_number:
        raise ValidationError({"username": _(
            "用户名不能是纯数字，也不能与学号/工号相同，以免与学号登录混淆。请使用含字母的用户名。"
        )})


def account_unlock(*, account: User, by: User, now: dt.datetime) -> int:
    """Lift the login lockout of one account (django-axes), by its school's administrator.

    Clears the account's failed attempts (from every address); an address locked for too many failures
    across accounts stays locked until its cool-off ends. Returns how many attempt rows were cleared.
    """
    if by.tenant_id is None or account.tenant_id != by.tenant_id:
        raise ValidationError(_("只能解除本校账号的登录锁定。"))
    cleared = axes_reset(username=account.username)
    audit.info("login unlock account=%s by=%s tenant=%s at=%s rows=%d", account.pk, by.pk, by.tenant_id,
               now.isoformat(), cleared)
    return cleared


@transaction.atomic
def account_invite(*, tenant: Tenant, username: str, full_name: str, email: str, role: str, start: dt.date,
                   site_url: str):
    """Create an account with no usable password and a school-wide role, and mail its activation link to
    the invitee's address (and only there: the platform admin who invites never sees the link, or they
    could activate the account and enter the school themselves).

    Used by the platform admin for a new school's first administrators. The account gets a password only
    when its holder opens the activation link (members.selectors.account_activation_path) and sets one.
    The mail is sent inside the transaction: if it cannot be sent, no account is created.
    """
    if not email:
        raise ValidationError({"email": _("请填写本人的电子邮箱：激活链接只发送到这个邮箱。")})
    if ROLE_SCOPE.get(role) != Scope.TENANT:
        raise ValidationError(_("只能邀请全校范围的角色。"))
    username_check_not_number(username)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(username)s”已被使用。") % {"username": username}})
    user = User(username=username, tenant=tenant, last_name=full_name, email=email,
                is_staff=role == Role.TENANT_ADMIN)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_assign(user=user, role=role, scope_object=tenant, start=start)
    account_activation_send(account=user, site_url=site_url)
    return user


def account_activation_send(*, account: User, site_url: str) -> None:
    """Mail the one-time activation link to the account's own address. Raises ValidationError when the
    mail cannot be sent (the caller's transaction then rolls back)."""
    link = site_url.rstrip("/") + account_activation_path(account)
    school = account.tenant.name if account.tenant_id else ""
    body = _(
        "您好，%(name)s：\n\n平台管理员为您在“%(school)s”创建了账号 %(username)s。"
        "请打开下面的链接设置密码（链接只能使用一次，设置密码后失效）：\n\n%(link)s\n\n"
        "如果您没有预期收到这封邮件，请忽略它，并告知本校负责人。"
    ) % {"name": account.get_full_name() or account.username, "school": school, "username": account.username,
         "link": link}
    try:
        send_mail(_("激活您的账号"), body, None, [account.email])
    except OSError as error:
        audit.warning("activation mail failed account=%s error=%s", account.pk, type(error).__name__)
        raise ValidationError(_("激活邮件发送失败，请检查邮箱地址或稍后再试；账号未创建。")) from error
    audit.info("activation mail sent account=%s", account.pk)


def email_masked(address: str) -> str:
    """``w***@example.edu.cn``: enough to recognise the address, not enough to read it off a screen."""
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


# --- imports (OR-4): upload → check (dry run) → commit, each step a service; the work runs in tasks ---
#
# These read the clock themselves, unlike the other services: a job's lease, heartbeat and finish time measure
# the real time of a worker that may run for minutes, so a ``now`` taken when the task began would be stale.
# (``import_job_create`` and ``import_job_commit`` could take ``now`` from their views; not done yet.)

#: A worker running a job renews its lease this often, from a thread of its own (its own database connection:
#: the commit's writes are one transaction, and nothing written inside it shows before the end).
IMPORT_HEARTBEAT = dt.timedelta(seconds=20)
#: A running job whose lease is this old has lost its worker (killed, out of memory, the machine restarted).
IMPORT_LEASE = dt.timedelta(minutes=3)
#: How long a queued job may wait for a worker (behind other imports) before it counts as lost.
IMPORT_QUEUE_LEASE = dt.timedelta(minutes=20)
_RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


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


def import_limits(*, tenant: Tenant, kind: str, today: dt.date) -> dict:
    """What a file of this kind may hold: the layout's columns plus a margin, and the school's row limit."""
    return {"max_columns": len(LAYOUTS[kind].columns) + COLUMN_MARGIN,
            "max_rows": policy_value(tenant=tenant, key=IMPORT_MAX_ROWS.key, on=today)}


def _read(job: ImportJob) -> Table:
    limits = import_limits(tenant=job.tenant, kind=job.kind, today=local_date(timezone.now()))
    with job.file.open("rb") as handle:
        return read_table(handle.read(), job.original_name, progress=_import_progress(job.pk),
                          encoding=job.encoding, **limits)


#: The import tasks, by name: members.tasks registers them under these names. Services name a task and never
#: import members.tasks, which imports this module (tasks call services, never the reverse).
IMPORT_CHECK_TASK = "members.tasks.import_check"
IMPORT_COMMIT_TASK = "members.tasks.import_commit"


def _enqueue(job: ImportJob) -> None:
    """Queue the task of the job's current attempt once the transaction commits. By name: where members.tasks
    is loaded (a worker, the tests) the signature is the task itself, so an eager app runs it inline; elsewhere
    (the web process) it is sent to the broker by name."""
    name = IMPORT_COMMIT_TASK if job.status == ImportStatus.IMPORTING else IMPORT_CHECK_TASK
    args = (job.tenant_id, job.pk, job.attempt)
    transaction.on_commit(lambda: current_app.signature(name, args=args).delay())


@transaction.atomic
def import_job_create(*, tenant: Tenant, kind: str, upload, user, today: dt.date, encoding: str = "") -> ImportJob:
    """Keep the uploaded file and queue its check. Refuses a file over the school's size limit."""
    if kind not in LAYOUTS:
        raise ValidationError({"kind": _("未知的导入类型。")})
    if encoding not in ("", *CODECS):
        raise ValidationError({"encoding": _("未知的文件编码。")})
    limit_mb = policy_value(tenant=tenant, key=IMPORT_MAX_MB.key, on=today)
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError({"file": _("文件大小 %(size).1f MB，超过本校上限 %(limit)s MB。") % {
            "size": upload.size / 1024 / 1024, "limit": limit_mb}})
    if upload.size == 0:
        raise ValidationError({"file": _("文件是空的。")})
    job = ImportJob(tenant=tenant, kind=kind, original_name=upload.name[:200], uploaded_by=user, encoding=encoding,
                    attempt=1, lease_until=timezone.now() + IMPORT_QUEUE_LEASE)
    job.file.save(upload.name, upload, save=False)
    job.save()
    _enqueue(job)
    return job


def _claim(job: ImportJob, attempt: int | None, status: str) -> bool:
    """The task of ``attempt`` takes the job: it must still be that attempt's and running. A task of an attempt
    that was given up (its lease ran out, the job was run again) finds nothing to do."""
    now = timezone.now()
    rows = ImportJob.objects.filter(pk=job.pk, status=status)
    if attempt is not None:  # None: a task queued before attempts existed
        rows = rows.filter(attempt=attempt)
    claimed = rows.update(lease_until=now + IMPORT_LEASE, heartbeat_at=now) == 1
    if claimed:
        job.refresh_from_db()
    return claimed


def _mine(job: ImportJob, status: str):
    """The job's row while it is still this run's (status and attempt unchanged): a conditional update writes
    a run's result only if the run was not given up meanwhile."""
    return ImportJob.objects.filter(pk=job.pk, status=status, attempt=job.attempt)


@contextmanager
def _heartbeat(job: ImportJob):
    """Renew the job's lease every IMPORT_HEARTBEAT while the block runs, from a thread with its own connection."""
    stop = threading.Event()
    job_id, attempt = job.pk, job.attempt

    def beat():
        try:
            while not stop.wait(IMPORT_HEARTBEAT.total_seconds()):
                now = timezone.now()
                try:
                    with scopes_disabled():
                        ImportJob.objects.filter(pk=job_id, attempt=attempt, status__in=_RUNNING).update(
                            lease_until=now + IMPORT_LEASE, heartbeat_at=now)
                except DatabaseError:  # e.g. SQLite busy with the commit's transaction: the next beat tries again
                    logger.warning("import heartbeat of job %s missed", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def import_job_check(*, job: ImportJob, attempt: int | None = None) -> ImportJob:
    """The dry run: read the file and plan the import against the school's rows; writes only the job."""
    if not _claim(job, attempt, ImportStatus.CHECKING):
        return job
    layout = LAYOUTS[job.kind]
    result = {"message": "", "counts": {}, "errors": [], "samples": []}
    try:
        with _heartbeat(job):
            table = _read(job)
            plan = plan_import(layout, job.tenant, table)  # a fraction of the reading time: no progress of its own
    except ImportFileError as error:
        result.update(status=ImportStatus.INVALID, message=str(error))
    except SoftTimeLimitExceeded:
        result.update(status=ImportStatus.FAILED,
                      message=_("检查超时：文件太大或服务器太忙。没有写入任何数据，可以重新检查。"))
    except Exception:
        _mine(job, ImportStatus.CHECKING).update(
            status=ImportStatus.FAILED, message=_("检查时发生内部错误，没有写入任何数据，可以重新检查。"),
            checked_at=timezone.now(), lease_until=None)
        raise
    else:
        result.update(
            total_rows=plan.total, processed_rows=plan.total, counts=plan.counts(),
            errors=[e.as_dict() for e in plan.errors],
            samples=[{"row": row, "key": key, "columns": _changed_columns(layout, changed)}
                     for row, key, changed in plan.samples],
            status=ImportStatus.CHECKED if plan.ok else ImportStatus.INVALID)
        if table.encoding:
            result["encoding"] = table.encoding
    _mine(job, ImportStatus.CHECKING).update(**result, checked_at=timezone.now(), lease_until=None)
    job.refresh_from_db()
    return job


def import_job_commit(*, job: ImportJob, user) -> ImportJob:
    """Confirm a checked import; the commit itself runs in a task. A second submit changes nothing."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, committed_by=user, processed_rows=0, attempt=F("attempt") + 1,
        lease_until=timezone.now() + IMPORT_QUEUE_LEASE, heartbeat_at=None,
    )
    if claimed != 1:
        raise ValidationError(_("这个导入不在“待确认”状态，不能再次提交。"))
    job.refresh_from_db()
    _enqueue(job)
    return job


class _GivenUp(Exception):
    """The run was given up while it wrote (its lease ran out and the job was marked failed or run again)."""


def import_job_run(*, job: ImportJob, attempt: int | None = None) -> ImportJob:
    """Commit: read and plan again against the rows as they are now, then write everything or nothing.

    The rows and the job's "done" are one transaction: a worker that dies before its end leaves no row
    written and the job running, until its lease runs out (``import_jobs_expire``)."""
    if not _claim(job, attempt, ImportStatus.IMPORTING):
        return job
    layout = LAYOUTS[job.kind]
    mine = _mine(job, ImportStatus.IMPORTING)
    try:
        with _heartbeat(job):
            table = _read(job)
            plan = plan_import(layout, job.tenant, table)
            if not plan.ok:  # the school's rows changed since the check
                mine.update(status=ImportStatus.INVALID, counts=plan.counts(),
                            errors=[e.as_dict() for e in plan.errors],
                            message=_("检查之后数据有变化，出现了错误；没有导入任何数据。"),
                            finished_at=timezone.now(), lease_until=None)
            else:
                with transaction.atomic():
                    counts = apply_plan(layout, job.tenant, plan)
                    if mine.update(status=ImportStatus.DONE, counts=counts, message="", finished_at=timezone.now(),
                                   lease_until=None) != 1:
                        raise _GivenUp
    except _GivenUp:
        logger.warning("import job %s attempt %s was given up while it wrote; rolled back", job.pk, job.attempt)
    except ImportFileError as error:
        mine.update(status=ImportStatus.FAILED, message=str(error), finished_at=timezone.now(), lease_until=None)
    except SoftTimeLimitExceeded:
        mine.update(status=ImportStatus.FAILED, finished_at=timezone.now(), lease_until=None,
                    message=_("导入超时：文件太大或服务器太忙。没有导入任何数据，可以重新导入。"))
    except Exception:
        mine.update(status=ImportStatus.FAILED, message=_("导入时发生内部错误，没有导入任何数据。"),
                    finished_at=timezone.now(), lease_until=None)
        raise
    job.refresh_from_db()
    return job


def _lost_message(status: str, started: bool) -> str:
    if status == ImportStatus.CHECKING:
        if started:
            return _("检查中断：处理这个文件的后台进程意外停止（例如服务器重启或内存不足）。"
                     "没有写入任何数据，可以重新检查。")
        return _("检查一直没有开始：后台任务可能没有运行。没有写入任何数据，可以重新检查。")
    if started:
        return _("导入中断：写入数据的后台进程意外停止（例如服务器重启或内存不足）。全部写入成功才会生效，"
                 "所以没有导入任何数据；可以重新导入。")
    return _("导入一直没有开始：后台任务可能没有运行。没有导入任何数据，可以重新导入。")


def import_jobs_expire(*, now: dt.datetime, job: ImportJob | None = None) -> int:
    """Mark failed the running jobs whose lease ran out (every school's, or ``job`` only): their worker is
    gone. Each gets a message saying so; it can be run again (``import_job_retry``). Returns how many."""
    expired = 0
    with scopes_disabled(), translation.override(settings.LANGUAGE_CODE):  # kept text, in the source language
        rows = ImportJob.objects.filter(status__in=_RUNNING).filter(Q(lease_until__lt=now) | Q(lease_until=None))
        if job is not None:
            rows = rows.filter(pk=job.pk)
        for status in _RUNNING:
            for started in (True, False):
                expired += rows.filter(status=status, heartbeat_at__isnull=not started).update(
                    status=ImportStatus.FAILED, message=_lost_message(status, started), finished_at=now,
                    lease_until=None)
    return expired


def import_job_expire_if_lost(*, job: ImportJob, now: dt.datetime) -> ImportJob:
    """The job page's check: a running job whose lease ran out is marked failed now (nothing is written while
    the lease holds, so an ordinary view stays a read)."""
    if job.is_running and (job.lease_until is None or job.lease_until < now):
        try:
            import_jobs_expire(now=now, job=job)
        except DatabaseError:  # SQLite busy with a commit's transaction: the page shows it as running meanwhile
            logger.warning("could not expire import job %s", job.pk, exc_info=True)
            return job
        job.refresh_from_db()
    return job


def import_job_retry(*, job: ImportJob, user, now: dt.datetime, encoding: str | None = None) -> ImportJob:
    """Run a job again: a failed one (its worker died, it timed out, an internal error) runs again what failed
    — the commit if it was confirmed, else the check; with ``encoding``, a CSV is checked again read in that
    encoding (after a check that could not tell it, or to correct it before confirming)."""
    if encoding is not None and encoding not in CODECS:
        raise ValidationError(_("请选择文件的编码。"))
    rows = ImportJob.objects.filter(pk=job.pk)
    if encoding is not None:
        rows = rows.filter(status__in=(ImportStatus.FAILED, ImportStatus.INVALID, ImportStatus.CHECKED))
        fields = {"status": ImportStatus.CHECKING, "encoding": encoding, "committed_by": None}
    else:
        rows = rows.filter(status=ImportStatus.FAILED)
        fields = ({"status": ImportStatus.IMPORTING, "committed_by": user} if job.committed_by_id
                  else {"status": ImportStatus.CHECKING})
    claimed = rows.update(**fields, attempt=F("attempt") + 1, lease_until=now + IMPORT_QUEUE_LEASE,
                          heartbeat_at=None, processed_rows=0, message="", finished_at=None)
    if claimed != 1:
        raise ValidationError(_("这个导入现在不能重新运行（可能已经在运行）。请刷新页面。"))
    job.refresh_from_db()
    _enqueue(job)
    return job
