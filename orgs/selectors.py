"""Reads of the school's structure and settings. Every function takes the tenant or user explicitly."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from orgs import policies
from orgs.models import (
    Building,
    College,
    Department,
    Major,
    Organisation,
    PolicyValue,
    Position,
    Room,
    SchoolClass,
    Tenant,
    Term,
)


def current_term(*, tenant: Tenant, today: dt.date) -> Term | None:
    return Term.objects.filter(tenant=tenant, start__lte=today, end__gte=today).order_by("-start").first()


def college_list(*, search: str = "") -> QuerySet[College]:
    colleges = College.objects.annotate(
        major_count=Count("majors", distinct=True), class_count=Count("classes", distinct=True)
    )
    if search:
        colleges = colleges.filter(Q(name__contains=search) | Q(code__startswith=search))
    return colleges.order_by("code")


def college_majors(*, college: College) -> QuerySet[Major]:
    return Major.objects.filter(college=college).annotate(class_count=Count("classes")).order_by("code")


def class_list(*, search: str = "", college_id=None, enrolment_year=None) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.select_related("major", "college").annotate(student_count=Count("students"))
    if search:
        classes = classes.filter(name__contains=search)
    if college_id:
        classes = classes.filter(college_id=college_id)
    if enrolment_year:
        classes = classes.filter(enrolment_year=enrolment_year)
    return classes.order_by("-enrolment_year", "name")


def enrolment_years() -> list[int]:
    """The enrolment years that have classes, newest first (for the class list's filter)."""
    return list(
        SchoolClass.objects.order_by("-enrolment_year").values_list("enrolment_year", flat=True).distinct()
    )


def building_list(*, search: str = "") -> QuerySet[Building]:
    buildings = Building.objects.annotate(
        room_count=Count("rooms", distinct=True), floor_count=Count("floors", distinct=True)
    )
    if search:
        buildings = buildings.filter(name__contains=search)
    return buildings.order_by("name")


def room_list(*, building=None, search: str = "") -> QuerySet[Room]:
    rooms = Room.objects.select_related("building", "floor").annotate(resident_count=Count("residents"))
    if building is not None:
        rooms = rooms.filter(building=building)
    if search:
        rooms = rooms.filter(number__startswith=search)
    return rooms.order_by("building__name", "floor__number", "number")


def organisation_list(*, search: str = "", kind: str = "") -> QuerySet[Organisation]:
    orgs = Organisation.objects.select_related("parent", "college").annotate(
        department_count=Count("departments", distinct=True),
        member_count=Count("memberships", filter=Q(memberships__end__isnull=True), distinct=True),
    )
    if search:
        orgs = orgs.filter(name__contains=search)
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs.order_by("kind", "name")


def organisation_children(*, organisation: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(parent=organisation).order_by("kind", "name")


def organisation_positions(*, organisation: Organisation) -> QuerySet[Position]:
    return Position.objects.filter(organisation=organisation).order_by("rank", "name")


def organisation_departments(*, organisation) -> QuerySet[Department]:
    return Department.objects.filter(organisation=organisation).annotate(
        member_count=Count("memberships", filter=Q(memberships__end__isnull=True))
    ).order_by("order", "name")


def policy_value(*, tenant: Tenant | int, key: str, on: dt.date):
    """The value of policy ``key`` in force on ``on`` (``tenant``: a school or its id): the latest change
    effective by then, else the default."""
    row = (
        PolicyValue.objects.filter(tenant=tenant, key=key, effective_from__lte=on)
        .order_by("-effective_from", "-changed_at", "-pk")
        .values_list("value", flat=True)
        .first()
    )
    return policies.get(key).default if row is None else row


def policy_values(*, tenant: Tenant | int, on: dt.date) -> dict:
    """Every registered policy's value in force on ``on``, in one query (a reader of many policies — the duty
    scan, the duties page — reads them all at once rather than one query per key)."""
    values = {key: policy.default for key, policy in policies.REGISTRY.items()}
    seen = set()
    for key, value in (PolicyValue.objects.filter(tenant=tenant, effective_from__lte=on)
                       .order_by("key", "-effective_from", "-changed_at", "-pk").values_list("key", "value")):
        if key not in seen:
            seen.add(key)
            values[key] = value
    return values


def _policy_row(policy: policies.Policy, history: list[PolicyValue], on: dt.date) -> dict:
    """One line of the settings page; each history row gets ``previous``: the value it replaced."""
    in_force = next((c for c in history if c.effective_from <= on), None)
    pending = next((c for c in history if c.effective_from > on), None)
    for i, change in enumerate(history):
        change.previous = history[i + 1].value if i + 1 < len(history) else policy.default
    return {
        "policy": policy,
        "value": in_force.value if in_force else policy.default,
        "is_default": in_force is None,
        "pending": pending,
        "history": history,
    }


def _enabled_policies(tenant: Tenant) -> list[policies.Policy]:
    return [p for p in policies.REGISTRY.values() if p.module is None or tenant.has_module(p.module)]


def policy_table(*, tenant: Tenant, on: dt.date) -> list[dict]:
    """Every policy of the tenant's enabled modules: default, value in force, pending change, history."""
    changes: dict[str, list[PolicyValue]] = {}
    for row in PolicyValue.objects.filter(tenant=tenant).select_related("changed_by__person").order_by(
        "key", "-effective_from", "-changed_at", "-pk"
    ):
        changes.setdefault(row.key, []).append(row)
    return [_policy_row(policy, changes.get(policy.key, []), on) for policy in _enabled_policies(tenant)]


def policy_entry(*, tenant: Tenant, key: str, on: dt.date) -> dict | None:
    """The settings line of one policy, or None when the key is unknown or its module is off."""
    policy = next((p for p in _enabled_policies(tenant) if p.key == key), None)
    if policy is None:
        return None
    history = list(
        PolicyValue.objects.filter(tenant=tenant, key=key)
        .select_related("changed_by__person")
        .order_by("-effective_from", "-changed_at", "-pk")
    )
    row = _policy_row(policy, history, on)
    row["next_effective_from"] = policies.next_period_start(
        policy, today=on, terms=Term.objects.filter(tenant=tenant)
    )
    return row


def tenant_list(*, search: str = "") -> QuerySet[Tenant]:
    """Every school, for the platform admin (Tenant is not tenant-owned: no scope involved)."""
    tenants = Tenant.objects.annotate(user_count=Count("users"))
    if search:
        tenants = tenants.filter(Q(name__contains=search) | Q(slug__startswith=search))
    return tenants.order_by("slug")


def active_tenants() -> QuerySet[Tenant]:
    return Tenant.objects.filter(is_active=True).order_by("name")
