"""What roles a user holds on a day, loaded once per request (the input of every rule in */rules.py), and what
those roles reach: ``reach(user, *roles, on=…)`` is the one answer to "which colleges, classes, organisations,
departments and rooms does this user reach through these roles on this date" for every app."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from members.models import Membership, RoleAssignment
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope


@dataclass(frozen=True)
class Grant:
    role: str
    college_id: int | None
    school_class_id: int | None
    organisation_id: int | None
    department_id: int | None
    room_id: int | None


def grants(user, *, on: dt.date | None = None) -> tuple[Grant, ...]:
    """The user's role grants on ``on`` (school-local; today by default), cached on the user object per day for
    the rest of the request."""
    day = on or local_date(timezone.now())
    cache = getattr(user, "_grants_cache", None)
    if cache is None:
        cache = user._grants_cache = {}
    if day in cache:
        return cache[day]
    if not user.is_authenticated or user.tenant_id is None or not user.tenant.is_active:
        result = ()  # a deactivated school's users keep no role (and the middleware opens no scope)
    else:
        rows = RoleAssignment.objects.filter(user=user, start__lte=day).exclude(end__lt=day).values_list(
            "role", "college_id", "school_class_id", "organisation_id", "department_id", "room_id"
        )
        result = tuple(Grant(*row) for row in rows)
    cache[day] = result
    return result


@dataclass(frozen=True)
class Reach:
    """The scopes some roles reach. ``school``: a school-wide role (the school's admin, the counselling centre…)
    among them, which reaches everything; otherwise the ids of each kind of scope object. A role bound to a class
    reaches that class only, not its college: an app that wants more (a college's people through its classes)
    says so itself."""

    school: bool = False
    colleges: frozenset[int] = frozenset()
    classes: frozenset[int] = frozenset()
    organisations: frozenset[int] = frozenset()
    departments: frozenset[int] = frozenset()
    rooms: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.school or any((self.colleges, self.classes, self.organisations, self.departments, self.rooms))


def reach(user, *roles: str, on: dt.date | None = None) -> Reach:
    """What ``user`` reaches through any of ``roles`` on ``on`` (today by default)."""
    found = {"colleges": set(), "classes": set(), "organisations": set(), "departments": set(), "rooms": set()}
    school = False
    for g in grants(user, on=on):
        if g.role not in roles:
            continue
        scoped = False
        for kind, value in (("colleges", g.college_id), ("classes", g.school_class_id),
                            ("organisations", g.organisation_id), ("departments", g.department_id),
                            ("rooms", g.room_id)):
            if value is not None:
                found[kind].add(value)
                scoped = True
        school = school or not scoped
    return Reach(school=school, **{kind: frozenset(ids) for kind, ids in found.items()})


def has_role(user, *roles) -> bool:
    return any(g.role in roles for g in grants(user))


def membership_kinds(user) -> frozenset[str]:
    """The kinds of the organisations the user's person is or was ever a member of, cached on the user for the
    rest of the request like its grants (one query): the menu offers 我的考勤 / 我的积分 only to someone who can
    have any (attendance.offer_own, scoring.offer_own_score)."""
    cached = getattr(user, "_membership_kinds_cache", None)
    if cached is None:
        if not user.is_authenticated or getattr(user, "person_id", None) is None or user.tenant_id is None:
            cached = frozenset()
        else:
            with tenant_scope(user.tenant_id):
                cached = frozenset(Membership.objects.filter(person_id=user.person_id).values_list(
                    "organisation__kind", flat=True).distinct())
        user._membership_kinds_cache = cached
    return cached
