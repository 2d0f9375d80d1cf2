"""Permissions that depend on roles: people, the school's structure and its settings.

Predicates first, then permissions named ``<app>.<verb>_<model>``.
"""

import rules

from members.models import Role
from members.roles import grants, has_role
from members.selectors import (
    DISCIPLINE_ROLES,
    POLITICAL_STATUS_ROLES,
    can_list_people,
    people_visible_to,
    person_reached_by,
)
from orgs.rules import is_platform_admin

# --- predicates ---


@rules.predicate
def is_tenant_admin(user):
    return user.is_authenticated and has_role(user, Role.TENANT_ADMIN)


@rules.predicate
def holds_any_role(user):
    return user.is_authenticated and bool(grants(user))


@rules.predicate
def may_list_people(user):
    return user.is_authenticated and can_list_people(user)


@rules.predicate
def may_see_person(user, person):
    return person is not None and people_visible_to(user).filter(pk=person.pk).exists()


@rules.predicate
def may_see_political_status(user, person):
    return person is not None and person_reached_by(user, person, POLITICAL_STATUS_ROLES)


@rules.predicate
def may_see_discipline(user, person):
    return person is not None and person_reached_by(user, person, DISCIPLINE_ROLES)


# --- permissions ---

rules.add_perm("orgs.browse_structure", holds_any_role)
rules.add_perm("orgs.view_policy", is_tenant_admin)
rules.add_perm("orgs.change_policy", is_tenant_admin)

rules.add_perm("members.list_person", may_list_people)
rules.add_perm("members.view_person", may_see_person | is_tenant_admin)
rules.add_perm("members.view_political_status", may_see_political_status)
rules.add_perm("members.view_discipline", may_see_discipline)
rules.add_perm("members.import_people", is_tenant_admin)  # imports and exports of OR-4 (members/views.py)
rules.add_perm("members.unlock_login", is_tenant_admin)  # the person page's 解除登录锁定 (members.views)
# The platform admin's visits to a school (orgs.models.PlatformAccess): the school's admin audits them.
rules.add_perm("orgs.view_platformaccess", is_tenant_admin | is_platform_admin)

# The Django admin asks for <app>.<action>_<model>: the tenant admin manages their own school's rows there
# (the tenant scope limits what the admin can see or pick).
_ADMIN_MODELS = {
    "orgs": ("term", "college", "major", "schoolclass", "building", "floor", "room", "organisation",
             "department", "position"),
    "members": ("person", "academicstanding", "disciplinaryrecord", "roleassignment", "membership", "user"),
}
for _app, _models in _ADMIN_MODELS.items():
    for _model in _models:
        for _action in ("view", "add", "change", "delete"):
            if not rules.perm_exists(f"{_app}.{_action}_{_model}"):
                rules.add_perm(f"{_app}.{_action}_{_model}", is_tenant_admin)
