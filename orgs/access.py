"""Fetch-for-user helpers of orgs: the one place its pages get a structure object, a policy or a school. Inside
the request's tenant scope another school's id does not exist, so a missing and a foreign id are the same 404.

Whoever holds ``orgs.browse_structure`` (checked by the view's decorator) sees the whole structure of their
school, so ``user`` narrows nothing today; the helpers take it so that a page never fetches without saying for
whom, and a narrower rule has one place to go."""

import datetime as dt

from django.http import Http404

from orgs import selectors
from orgs.models import Building, College, Department, Organisation, SchoolClass, Tenant
from orgs.tenancy import get_object_or_404


def college_for_user(user, college_id) -> College:
    return get_object_or_404(College, pk=college_id)


def class_for_user(user, schoolclass_id) -> SchoolClass:
    return get_object_or_404(SchoolClass.objects.select_related("major", "college"), pk=schoolclass_id)


def building_for_user(user, building_id) -> Building:
    return get_object_or_404(Building, pk=building_id)


def room_for_user(user, room_id):
    return get_object_or_404(selectors.room_list(), pk=room_id)


def organisation_for_user(user, organisation_id) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("parent", "college"), pk=organisation_id)


def department_for_user(user, department_id) -> Department:
    return get_object_or_404(Department.objects.select_related("organisation"), pk=department_id)


def policy_for_user(user, key: str, *, on: dt.date) -> dict:
    """A policy of the user's school as it stands on ``on``; an unknown key is a 404."""
    entry = selectors.policy_entry(tenant=user.tenant, key=key, on=on)
    if entry is None:
        raise Http404()
    return entry


def tenant_for_platform_admin(user, tenant_id) -> Tenant:
    """A school, for the platform admin (the view is ``platform_admin_only``: everyone else gets 404 first)."""
    return get_object_or_404(Tenant, pk=tenant_id)
