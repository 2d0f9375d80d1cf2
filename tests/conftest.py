"""Two schools with one object of every tenant-bound model each, and tenant B's widest user."""

import datetime as dt

import pytest

from members.models import ROLE_ALT_SCOPE, ROLE_SCOPE, Role, Scope
from members.services import role_assign
from members.tests.factories import UserFactory
from orgs.models import College, Department, Organisation, Room, SchoolClass
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TenantFactory
from tests.world import build_world

SCOPE_MODEL = {
    Scope.COLLEGE: College, Scope.CLASS: SchoolClass, Scope.ORGANISATION: Organisation,
    Scope.DEPARTMENT: Department, Scope.ROOM: Room,
}


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="school_a", name="甲大学")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="school_b", name="乙大学")


@pytest.fixture
def world_a(tenant_a):
    return build_world(tenant_a)


@pytest.fixture
def world_b(tenant_b):
    return build_world(tenant_b)


def widest_user(tenant, world, **extra):
    """A staff user of ``tenant`` holding every role over every scope that role can take in ``world``."""
    user = UserFactory(tenant=tenant, is_staff=True, **extra)
    with tenant_scope(tenant):
        for role in Role.values:
            for scope in {ROLE_SCOPE[role], ROLE_ALT_SCOPE.get(role)} - {None}:
                target = None if scope == Scope.TENANT else world[SCOPE_MODEL[scope]]
                role_assign(user=user, role=role, scope_object=target, start=dt.date(2020, 1, 1))
    return user


@pytest.fixture
def b_admin(tenant_b, world_b):
    return widest_user(tenant_b, world_b, username="b_admin")
