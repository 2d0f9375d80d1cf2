"""What roles a user holds today, loaded once per request (the input of every rule in */rules.py)."""

from dataclasses import dataclass

from django.utils import timezone

from orgs.calendar import local_date


@dataclass(frozen=True)
class Grant:
    role: str
    college_id: int | None
    school_class_id: int | None
    organisation_id: int | None
    department_id: int | None
    room_id: int | None


def grants(user) -> tuple[Grant, ...]:
    """The user's current role grants, cached on the user object for the rest of the request."""
    cached = getattr(user, "_grants_cache", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or user.tenant_id is None or not user.tenant.is_active:
        result = ()  # a deactivated school's users keep no role (and the middleware opens no scope)
    else:
        from members.models import RoleAssignment

        today = local_date(timezone.now())
        rows = RoleAssignment.objects.filter(user=user, start__lte=today).exclude(end__lt=today).values_list(
            "role", "college_id", "school_class_id", "organisation_id", "department_id", "room_id"
        )
        result = tuple(Grant(*row) for row in rows)
    user._grants_cache = result
    return result


def has_role(user, *roles) -> bool:
    return any(g.role in roles for g in grants(user))


def scope_ids(user, role, field) -> set[int]:
    """Ids of the ``field`` scopes (e.g. 'organisation_id') over which the user holds ``role``."""
    return {getattr(g, field) for g in grants(user) if g.role == role and getattr(g, field) is not None}


def membership_kinds(user) -> frozenset[str]:
    """The kinds of the organisations the user's person is or was ever a member of, cached on the user for the
    rest of the request like its grants (one query): the menu offers 我的考勤 / 我的积分 only to someone who can
    have any (attendance.offer_own, scoring.offer_own_score)."""
    cached = getattr(user, "_membership_kinds_cache", None)
    if cached is None:
        if not user.is_authenticated or getattr(user, "person_id", None) is None or user.tenant_id is None:
            cached = frozenset()
        else:
            from members.models import Membership
            from orgs.tenancy import tenant_scope

            with tenant_scope(user.tenant_id):
                cached = frozenset(Membership.objects.filter(person_id=user.person_id).values_list(
                    "organisation__kind", flat=True).distinct())
        user._membership_kinds_cache = cached
    return cached
