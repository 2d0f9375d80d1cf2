"""Personas of the page tests, in one place: log a test client in as one, and a table of the status each one gets.

A view's permission test asks every persona for the same URL and compares the answers with a table: the owner
(the organisation's office), another role of the same school (a department head, the president, the school's
admin, an officer with no role), another organisation's office of the same school, and another school::

    def test_the_page_by_persona(client, school):
        url = reverse("thing:page", kwargs={"organisation_id": school.org.pk})
        assert statuses(client, url, personas(school, other_office=add_other_office(school))) == {
            "office": 200, "head": 200, "admin": 200, "officer": 403, "other_office": 404, "other_school": 404}

``school`` is the fixture world of ``members.tests.school`` (its users are the personas; ``school.other`` is
another school). ``personas`` names users of that world and of the fixtures that add to it (``more`` in
attendance, ``cast`` in scoring); a persona the world lacks (a president, another organisation's office) is
built with ``add_president`` / ``add_other_office`` and passed by name. ``None`` is the anonymous visitor."""

from __future__ import annotations

from members.models import Role, User
from members.tests.factories import RoleAssignmentFactory, UserFactory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import OrganisationFactory

#: The standard set, in the order a table asks them: the owner, the other roles of the school, another
#: organisation's office, another school.
STANDARD = ("office", "head", "president", "admin", "officer", "other_office", "other_school")
#: The school-wide set of the structure and people pages: every role of the ``school`` world, the officer with no
#: role, the platform admin (no school), another school's admin, and the anonymous visitor.
SCHOOL_ROLES = ("anonymous", "admin", "counsellor", "office", "head", "logistics", "officer", "platform", "other_admin")


def login_as(client, user):
    """``client`` logged in as ``user`` (logged out for ``None``, the anonymous visitor); returns the client."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client


as_ = login_as


def statuses(client, url, users: dict, method="get", data=None, **extra) -> dict[str, int]:
    """The status of ``method`` on ``url`` (with ``data``) for each of ``users`` (name → user, ``None`` for
    anonymous), by name. A download is read to its end: the test client then closes its file with the
    connection-closing signal held back (``response.close()`` would fire it and, on PostgreSQL, close the
    test's connection)."""
    got = {}
    for name, user in users.items():
        response = getattr(login_as(client, user), method)(url, data or {}, **extra)
        got[name] = response.status_code
        if response.streaming:
            b"".join(response.streaming_content)
    return got


def persona(name: str, *worlds):
    """The persona ``name`` of the first of ``worlds`` that has it: ``anonymous`` is ``None``, ``other_school``
    the other school's admin (``other_admin``), any other name the world's attribute (``office``, ``head``,
    ``admin``, ``officer``, ``counsellor``, ``platform``, a fixture's ``president`` or ``other_office`` …)."""
    if name == "anonymous":
        return None
    attribute = "other_admin" if name == "other_school" else name
    for world in worlds:
        if hasattr(world, attribute):
            return getattr(world, attribute)
    raise AttributeError(f"no world has the persona {name!r}")


def personas(*worlds, names=None, **users) -> dict[str, User | None]:
    """Name → user, in the order of ``names`` (default ``STANDARD``, without the ones no world has), taken from
    ``users`` by name or else from the first of ``worlds`` (the ``school`` fixture, a fixture adding a president
    or another organisation's office) that has it; ``users`` not in ``names`` are added at the end."""
    def has(name):
        try:
            persona(name, *worlds)
        except AttributeError:
            return False
        return True

    if names is None:
        names = [name for name in STANDARD if name in users or has(name)]
    chosen = {name: users[name] if name in users else persona(name, *worlds) for name in names}
    return chosen | {name: user for name, user in users.items() if name not in chosen}


def add_president(school, *, org=None, username=None) -> User:
    """The president of ``org`` (default: the world's organisation), a user of ``school``'s tenant."""
    tenant = school.tenant
    with tenant_scope(tenant):
        user = UserFactory(tenant=tenant, username=username or f"{tenant.slug}_president")
        RoleAssignmentFactory(tenant=tenant, user=user, role=Role.PRESIDENT, organisation=org or school.org)
    return user


def add_other_office(school, *, org=None, name="另一个联盟", username="other_office") -> User:
    """The office of another organisation of ``school``'s tenant (``org``, or a new one called ``name``): every
    object of the world's organisation is a 404 to them. The organisation is ``user.other_org``."""
    tenant = school.tenant
    with tenant_scope(tenant):
        org = org or OrganisationFactory(tenant=tenant, name=name)
        user = UserFactory(tenant=tenant, username=username)
        RoleAssignmentFactory(tenant=tenant, user=user, role=Role.OFFICE, organisation=org)
    user.other_org = org
    return user
