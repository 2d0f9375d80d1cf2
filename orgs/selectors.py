"""Reads of the school's structure and settings. Every function takes the tenant or user explicitly."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from orgs import policies
from orgs.models import (
    Building,
    College,
    Department,
    Organisation,
    PolicyValue,
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


def class_list(*, search: str = "", college_id=None, enrolment_year=None) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.select_related("major", "college").annotate(student_count=Count("students"))
    if search:
        classes = classes.filter(name__contains=search)
    if college_id:
        classes = classes.filter(college_id=college_id)
    if enrolment_year:
        classes = classes.filter(enrolment_year=enrolment_year)
    return classes.order_by("-enrolment_year", "name")


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


def organisation_departments(*, organisation) -> QuerySet[Department]:
    return Department.objects.filter(organisation=organisation).annotate(
        member_count=Count("memberships", filter=Q(memberships__end__isnull=True))
    ).order_by("order", "name")


def policy_value(*, tenant: Tenant, key: str, on: dt.date):
    """The value of policy ``key`` in force on ``on``: the latest change effective by then, else the default."""
    row = (
        PolicyValue.objects.filter(tenant=tenant, key=key, effective_from__lte=on)
        .order_by("-effective_from", "-changed_at", "-pk")
        .values_list("value", flat=True)
        .first()
    )
    return policies.get(key).default if row is None else row


def policy_table(*, tenant: Tenant, on: dt.date) -> list[dict]:
    """Every policy of the tenant's enabled modules: default, value in force, pending change, history."""
    changes: dict[str, list[PolicyValue]] = {}
    for row in PolicyValue.objects.filter(tenant=tenant).select_related("changed_by__person").order_by(
        "key", "-effective_from", "-changed_at", "-pk"
    ):
        changes.setdefault(row.key, []).append(row)
    table = []
    for policy in policies.REGISTRY.values():
        if policy.module is not None and not tenant.has_module(policy.module):
            continue
        history = changes.get(policy.key, [])
        in_force = next((c for c in history if c.effective_from <= on), None)
        pending = next((c for c in history if c.effective_from > on), None)
        table.append(
            {
                "policy": policy,
                "value": in_force.value if in_force else policy.default,
                "is_default": in_force is None,
                "pending": pending,
                "history": history,
            }
        )
    return table
