"""Writes to the school's structure and settings: keyword-only, atomic, validated.

Terms, organisations, departments and positions are written here and only here: the Django admin calls these
services (orgs/admin.py), and its forms call the same checks (``term_check``) so a refusal is a form error.
Every service checks that the objects it is given belong to one school (``one_tenant``) and validates the row
inside that school's scope (its unique constraints read the scoped table).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import get_scope

from orgs import policies
from orgs.models import Department, Organisation, PlatformAccess, PolicyValue, Position, Tenant, Term
from orgs.selectors import policy_value
from orgs.tenancy import tenant_scope


def _tenant_id(obj) -> int | None:
    return obj.pk if isinstance(obj, Tenant) else obj.tenant_id


def one_tenant(*objects) -> int:
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


@transaction.atomic
def tenant_create(*, slug: str, name: str, modules: list[str]) -> Tenant:
    tenant = Tenant(slug=slug, name=name, modules=sorted(set(modules)))
    tenant.full_clean()
    tenant.save()
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, name: str, modules: list[str], is_active: bool) -> Tenant:
    tenant.name, tenant.modules, tenant.is_active = name, sorted(set(modules)), is_active
    tenant.full_clean()
    tenant.save(update_fields=["name", "modules", "is_active"])
    return tenant


def _save(obj, tenant_id: int, update_fields: list[str] | None = None):
    """Validate ``obj`` (fields, ``clean()``, unique constraints, which start with ``tenant``) and save it."""
    with tenant_scope(tenant_id):
        obj.full_clean()
        obj.save(update_fields=update_fields)
    return obj


# --- terms ---


def term_check(*, tenant_id: int, start: dt.date, end: dt.date, term: Term | None = None) -> None:
    """A term ends after it starts and overlaps no other term of its school (both ends are days of the term:
    a term may start the day after another ends). ``term``: the term being edited, which may overlap itself.
    Shared by the services and the admin's form."""
    if end <= start:
        raise ValidationError({"end": _("学期的结束日期必须晚于开始日期。")})
    with tenant_scope(tenant_id):
        other = Term.objects.filter(start__lte=end, end__gte=start).order_by("start")
        if term is not None and term.pk is not None:
            other = other.exclude(pk=term.pk)
        other = other.first()
    if other is not None:
        raise ValidationError(_("与学期“%(term)s”（%(start)s 至 %(end)s）的日期重叠：同一学校的学期不能重叠。") % {
            "term": other.name, "start": other.start.isoformat(), "end": other.end.isoformat()})


def terms_check(*, tenant: Tenant, terms: Iterable[tuple[str, dt.date, dt.date]]) -> None:
    """The check of ``term_create`` for a bulk seed's planned terms (name, start, end), before it writes them:
    each ends after it starts and overlaps neither another planned term nor a stored term of another name (a
    stored term of the same name is the one the seed writes over)."""
    planned = sorted(terms, key=lambda t: t[1])
    for name, start, end in planned:
        if end <= start:
            raise ValidationError(_("学期“%(term)s”的结束日期必须晚于开始日期。") % {"term": name})
    for (name, _start, end), (later, start, _end) in zip(planned, planned[1:], strict=False):
        if start <= end:
            raise ValidationError(_("学期“%(a)s”与“%(b)s”的日期重叠。") % {"a": name, "b": later})
    names = [name for name, _start, _end in planned]
    with tenant_scope(tenant.pk):
        stored = list(Term.objects.exclude(name__in=names).values_list("name", "start", "end"))
    for name, start, end in planned:
        for other, other_start, other_end in stored:
            if other_start <= end and start <= other_end:
                raise ValidationError(_("学期“%(a)s”与“%(b)s”的日期重叠。") % {"a": name, "b": other})


def _lock_terms(tenant_id: int) -> None:
    """Serialise the term writes of one school (on PostgreSQL): two overlapping terms saved at the same moment
    would each pass the other's check."""
    Tenant.objects.select_for_update().filter(pk=tenant_id).exists()


@transaction.atomic
def term_create(*, tenant: Tenant, name: str, start: dt.date, end: dt.date) -> Term:
    tenant_id = one_tenant(tenant)
    _lock_terms(tenant_id)
    term_check(tenant_id=tenant_id, start=start, end=end)
    return _save(Term(tenant_id=tenant_id, name=(name or "").strip(), start=start, end=end), tenant_id)


@transaction.atomic
def term_update(*, term: Term, name: str, start: dt.date, end: dt.date) -> Term:
    """Rename a term or move its dates (it may not come to overlap another term of its school)."""
    tenant_id = one_tenant(term)
    _lock_terms(tenant_id)
    term_check(tenant_id=tenant_id, start=start, end=end, term=term)
    term.name, term.start, term.end = (name or "").strip(), start, end
    return _save(term, tenant_id, ["name", "start", "end"])


# --- organisations, their departments and positions ---


@transaction.atomic
def organisation_create(*, tenant: Tenant, name: str, kind: str, parent: Organisation | None = None,
                        college=None) -> Organisation:
    tenant_id = one_tenant(tenant, parent, college)
    organisation = Organisation(tenant_id=tenant_id, name=(name or "").strip(), kind=kind, parent=parent,
                                college=college)
    return _save(organisation, tenant_id)


@transaction.atomic
def organisation_update(*, organisation: Organisation, name: str, kind: str, parent: Organisation | None,
                        college) -> Organisation:
    """Its parent may not be itself or one of its own descendants (``Organisation.clean``)."""
    tenant_id = one_tenant(organisation, parent, college)
    organisation.name, organisation.kind = (name or "").strip(), kind
    organisation.parent, organisation.college = parent, college
    return _save(organisation, tenant_id, ["name", "kind", "parent", "college"])


def _check_name_free(model, *, organisation: Organisation, name: str, row) -> None:
    taken = model.objects.filter(organisation=organisation, name=name)
    if row is not None and row.pk is not None:
        taken = taken.exclude(pk=row.pk)
    if taken.exists():
        raise ValidationError({"name": _("组织“%(organisation)s”已有“%(name)s”。") % {
            "organisation": organisation.name, "name": name}})


@transaction.atomic
def department_create(*, organisation: Organisation, name: str, is_presidium: bool = False,
                      order: int = 0) -> Department:
    """A department of one organisation; its name is unique within the organisation."""
    tenant_id = one_tenant(organisation)
    name = (name or "").strip()
    with tenant_scope(tenant_id):
        _check_name_free(Department, organisation=organisation, name=name, row=None)
    department = Department(tenant_id=tenant_id, organisation=organisation, name=name, is_presidium=is_presidium,
                            order=order)
    return _save(department, tenant_id)


@transaction.atomic
def department_update(*, department: Department, name: str, is_presidium: bool, order: int) -> Department:
    """A department stays in its organisation (its members' history names both): only its own fields change."""
    tenant_id = one_tenant(department)
    name = (name or "").strip()
    with tenant_scope(tenant_id):
        _check_name_free(Department, organisation=department.organisation, name=name, row=department)
    department.name, department.is_presidium, department.order = name, is_presidium, order
    return _save(department, tenant_id, ["name", "is_presidium", "order"])


@transaction.atomic
def position_create(*, organisation: Organisation, name: str, category: str, rank: int = 50) -> Position:
    """A post of one organisation; its name is unique within the organisation."""
    tenant_id = one_tenant(organisation)
    name = (name or "").strip()
    with tenant_scope(tenant_id):
        _check_name_free(Position, organisation=organisation, name=name, row=None)
    position = Position(tenant_id=tenant_id, organisation=organisation, name=name, category=category, rank=rank)
    return _save(position, tenant_id)


@transaction.atomic
def position_update(*, position: Position, name: str, category: str, rank: int) -> Position:
    """A post stays in its organisation (its holders' history names both): only its own fields change."""
    tenant_id = one_tenant(position)
    name = (name or "").strip()
    with tenant_scope(tenant_id):
        _check_name_free(Position, organisation=position.organisation, name=name, row=position)
    position.name, position.category, position.rank = name, category, rank
    return _save(position, tenant_id, ["name", "category", "rank"])


@transaction.atomic
def policy_set(*, tenant: Tenant, key: str, raw_value, user, today: dt.date, note: str = "") -> PolicyValue:
    """Change a policy from the start of its next period; the change is kept as a new row (history)."""
    policy = policies.get(key)
    if policy.module is not None and not tenant.has_module(policy.module):
        raise ValidationError(_("该模块未启用。"))
    value = policy.clean(raw_value)
    effective_from = policies.next_period_start(policy, today=today, terms=Term.objects.filter(tenant=tenant))
    if value == policy_value(tenant=tenant, key=key, on=effective_from):
        raise ValidationError(
            _("自 %(date)s 起的取值已经是 %(value)s，无需修改。") % {"date": effective_from, "value": value}
        )
    return PolicyValue.objects.create(
        tenant=tenant, key=key, value=value, effective_from=effective_from, changed_by=user, note=note
    )


def platform_access_record(*, tenant_id: int, user, page: str, method: str, now: dt.datetime) -> PlatformAccess:
    """Log that the platform admin opened a page of one school (who, when, which page; never its content)."""
    return PlatformAccess.objects.create(tenant_id=tenant_id, user=user, page=page[:100], method=method[:8],
                                         at=now)
