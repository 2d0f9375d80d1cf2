"""Another school's object answers 404, exactly like a missing one — on every URL of the project.

The walk covers every URL pattern that takes an argument, found by walking the project's URL resolver, so
the pages of later issues are covered without editing this file. Arguments are filled by the project's
convention (orgs/urls.py, members/urls.py):

* ``<model_name>_id`` is an id of the model whose ``_meta.model_name`` is ``<model_name>`` (unique across
  the installed apps, asserted below); ``tenant_id`` is a school;
* ``key`` is a policy key of ``orgs.policies.REGISTRY``;
* ``month`` (YYYY-MM) and ``fmt`` (a file format) are not objects: a fixed value (``PLAIN_VALUES``), so the
  route's object ids are still walked.

An argument the walk cannot fill fails the test for that pattern, naming it: it is never skipped. The only
patterns left out are listed in ``NOT_OBJECT_URLS`` (tests/url_walk.py) by name, with the reason.

Tenant B's user holds every role over every scope of school B and is staff. For each pattern, with school
A's objects (and, for nested routes, one of A's objects among B's own), every answer must be a 404 identical
in status, content type and body to the answer for ids that do not exist. A positive control (B's own
objects do not answer 404, for B's user or for a platform admin) proves the URL and the objects fit the
view, so a 404 is tenancy's doing and not a typo's. The admin is walked through ``admin.site._registry``.
"""

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.urls.resolvers import RoutePattern

from members.tests.factories import UserFactory
from tests.url_walk import (
    BOUND,
    Cast,
    Unfillable,
    _fill,
    _is_object_kwarg,
    _kwargs_of,
    _missing_pk,
    _model_of,
    _models_by_name,
    build_path,
    object_routes,
)

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"|("csrfToken": ")[^"]*"')


# --- the walk ---


ROUTES = object_routes()


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        params = ROUTES or [None]
        metafunc.parametrize("route", params, ids=[r.label if r else "no-patterns" for r in params])
    if "admin_model" in metafunc.fixturenames:
        models = _admin_models() or [None]
        metafunc.parametrize("admin_model", models, ids=[m._meta.label if m else "none-registered" for m in models])


def test_the_walk_finds_object_urls():
    assert ROUTES, "The walk found no URL pattern with an object id: the walker is broken or the URLs are gone."
    kwargs = {k for r in ROUTES for k in r.kwargs}
    assert {"college_id", "person_id"} <= kwargs, kwargs


# --- filling the arguments ---


def test_model_names_are_unique_across_installed_apps():
    clashes = {name: [m._meta.label for m in models] for name, models in _models_by_name().items() if len(models) > 1}
    assert not clashes, f"<model_name>_id is ambiguous for: {clashes}"


# --- asking ---


def _answer(client, method: str, path: str):
    """(status, content type, body with this request's own path and CSRF tokens blanked, Location)."""
    response = getattr(client, method)(path)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", errors="replace")
    for spelling in {path, quote(path)}:
        text = text.replace(spelling, "<path>")
    text = _CSRF.sub(lambda m: (m.group(1) or m.group(2)) + '<token>"', text)
    location = response.get("Location", "")
    return response.status_code, response.get("Content-Type", ""), text, location


def _compare(client, method: str, foreign: str, missing: str, failures: list, label: str):
    """School A's object and a missing one must answer the same 404. Returns the foreign status."""
    try:
        got, expected = _answer(client, method, foreign), _answer(client, method, missing)
    except Exception as error:  # noqa: BLE001 - a crash is a finding, reported with the others
        failures.append(f"{label}: {method.upper()} {foreign} raised {error!r}")
        return None
    if got[0] != 404 and not (method == "get" and got[0] == 405):
        failures.append(f"{label}: {method.upper()} {foreign} answered {got[0]}, not 404")
    if got[:3] != expected[:3]:
        diffs = [what for what, a, b in zip(("status", "content type", "body"), got, expected, strict=False) if a != b]
        failures.append(
            f"{label}: {method.upper()} {foreign} differs from the missing id {missing} in {', '.join(diffs)} "
            f"({got[0]} vs {expected[0]})"
        )
    return got[0]


@pytest.fixture
def cast(tenant_a, tenant_b, world_a, world_b):
    return Cast(tenant_a, tenant_b, world_a, world_b)


def test_another_schools_object_answers_404_like_a_missing_one(client, cast, b_admin, route):
    assert route is not None, "The walk found no URL pattern with an object id."
    try:
        values = {side: {k: cast.value(k, side) for k in route.kwargs} for side in ("a", "b", "missing")}
        paths = {side: build_path(route, values[side]) for side in ("a", "b", "missing")}
        object_kwargs = [k for k in route.kwargs if _is_object_kwarg(k)]
        mixed = []  # one of A's objects (or a missing one) among B's own, for routes with several objects
        if len(object_kwargs) > 1:
            for kwarg in object_kwargs:
                mixed.append((
                    kwarg,
                    build_path(route, {**values["b"], kwarg: values["a"][kwarg]}),
                    build_path(route, {**values["b"], kwarg: values["missing"][kwarg]}),
                ))
    except Unfillable as error:
        pytest.fail(f"Cannot fill {route.label}: {error}. Name the argument <model_name>_id (or teach this test).")

    client.force_login(b_admin)
    failures: list[str] = []
    if not object_kwargs:
        # Nothing of school A's in the route (e.g. a policy key): a missing key must still be a plain 404.
        status = _answer(client, "get", paths["missing"])[0]
        if status not in (404, 405):
            failures.append(f"{route.label}: GET {paths['missing']} (missing key) answered {status}, not 404")
    else:
        cases = [("all of school A's objects", paths["a"], paths["missing"])]
        cases += [(f"school A's {kwarg} among B's own", foreign, missing) for kwarg, foreign, missing in mixed]
        for label, foreign, missing in cases:
            status = _compare(client, "get", foreign, missing, failures, f"{route.label}, {label}")
            if status == 405:  # a POST-only view: its POST must be the 404
                _compare(client, "post", foreign, missing, failures, f"{route.label}, {label}")
        _positive_control(client, b_admin, route, paths["b"], failures, owners=_owners(cast, object_kwargs))
    assert not failures, "\n".join(failures)


def _owners(cast, object_kwargs) -> list:
    """The people B's objects of the route belong to: an object with a ``user`` foreign key (a notification) is
    its user's alone, so B's widest user may rightly get a 404 for it and only its owner can show the URL fits."""
    owners = []
    for kwarg in object_kwargs:
        obj = cast.world_b.get(_model_of(kwarg))
        if obj is not None and any(f.name == "user" and f.many_to_one for f in obj._meta.concrete_fields):
            owners.append(obj.user)
    return owners


def _positive_control(client, b_admin, route, own_path, failures, owners=()):
    """B's own objects must not answer 404 to someone entitled (B's user, the objects' owner, or — for objects
    that belong to no one person — a platform admin): otherwise the 404s above prove nothing about tenancy."""
    candidates = [b_admin, *owners]
    if not owners:  # a platform admin's 403 on someone's own object would prove nothing
        candidates.append(UserFactory(tenant=None, person=None, is_platform_admin=True, username="platform_probe"))
    statuses = []
    for user in candidates:
        client.force_login(user)
        try:
            status = client.get(own_path).status_code
            if status == 405:
                status = client.post(own_path).status_code
        except Exception as error:  # noqa: BLE001
            status = repr(error)
        statuses.append(status)
        if status != 404 and isinstance(status, int) and status < 500:
            return
    failures.append(
        f"{route.label}: positive control failed: school B's own objects at {own_path} answered {statuses} "
        "(B's user, then the objects' owner or a platform admin). The world fixture (tests/world.py) lacks the "
        "shape this view needs."
    )


# --- everyone else: anonymous users and the platform admin never crash on a school's object ---


def test_anonymous_and_platform_admin_requests_of_a_schools_objects(client, cast, route):
    assert route is not None, "The walk found no URL pattern with an object id."
    try:
        path = build_path(route, {k: cast.value(k, "a") for k in route.kwargs})
    except Unfillable as error:
        pytest.fail(f"Cannot fill {route.label}: {error}")
    failures = []
    for who in ("anonymous", "platform admin"):
        if who == "platform admin":
            client.force_login(UserFactory(tenant=None, person=None, is_platform_admin=True))
        try:
            status = client.get(path).status_code
        except Exception as error:  # noqa: BLE001
            failures.append(f"{who}: GET {path} raised {error!r}")
            continue
        if who == "anonymous" and status == 200:
            failures.append(f"anonymous: GET {path} answered 200")
        if status >= 500:
            failures.append(f"{who}: GET {path} answered {status}")
    assert not failures, "\n".join(failures)


# --- the admin ---


def _admin_models():
    return sorted((m for m in admin.site._registry if m in BOUND), key=lambda m: m._meta.label)


def _admin_routes(model):
    """The object URLs of a model's admin: its patterns with arguments, under its changelist's path."""
    model_admin = admin.site._registry[model]
    base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for pattern in model_admin.get_urls():
        kwargs = _kwargs_of(pattern.pattern)
        if kwargs and isinstance(pattern.pattern, RoutePattern):
            yield pattern, kwargs, base


def test_a_school_model_is_registered_in_the_admin():
    assert _admin_models(), "No tenant-owned model is registered in the admin (orgs/admin.py, members/admin.py)."


def test_admin_object_urls_answer_404(client, cast, b_admin, admin_model):
    assert admin_model is not None, "No tenant-owned model is registered in the admin."
    model = admin_model
    client.force_login(b_admin)
    failures: list[str] = []
    foreign_pk, missing_pk = cast.world_a[model].pk, _missing_pk(model)
    seen = 0
    for pattern, kwargs, base in _admin_routes(model):
        unknown = [k for k in kwargs if k not in ("object_id", "id")]
        if unknown:
            failures.append(f"admin {model._meta.label} {pattern.pattern}: cannot fill {unknown}")
            continue
        seen += 1

        def path_for(pk, pattern=pattern, base=base, kwargs=kwargs):
            return base + _fill(pattern.pattern, dict.fromkeys(kwargs, pk))

        foreign, missing = path_for(foreign_pk), path_for(missing_pk)
        label = f"admin {pattern.name or 'unnamed'} of {model._meta.label}"
        if pattern.name is None:
            # Django's legacy redirect <id>/ → <id>/change/ looks nothing up: it must not tell the two apart.
            got, expected = _answer(client, "get", foreign), _answer(client, "get", missing)
            got_location, expected_location = got[3].replace(foreign, "<path>"), expected[3].replace(missing, "<path>")
            if (got[0], got_location) != (expected[0], expected_location):
                failures.append(f"{label}: {foreign} answered {got[0]} {got[3]}, missing: {expected[0]} {expected[3]}")
            continue
        status = _compare(client, "get", foreign, missing, failures, label)
        if status == 405:
            _compare(client, "post", foreign, missing, failures, label)
        if pattern.name.endswith(("_change", "_delete")):
            _compare(client, "post", foreign, missing, failures, f"{label} (POST)")
        if pattern.name.endswith("_change"):  # positive control: B's own row opens
            own = path_for(cast.world_b[model].pk)
            if client.get(own).status_code != 200:
                failures.append(f"{label}: positive control failed: school B's own row {own} does not open")
    assert seen, f"The admin of {model._meta.label} has no object URL"
    # view_on_site (admin/r/<content_type_id>/<object_id>/) finds objects without the scope: it must not tell.
    content_type = ContentType.objects.get_for_model(model)
    _compare(
        client, "get", reverse("admin:view_on_site", args=[content_type.pk, foreign_pk]),
        reverse("admin:view_on_site", args=[content_type.pk, missing_pk]), failures, f"admin view_on_site {model}",
    )
    # The change list does not show school A's row.
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    if response.status_code == 200:
        change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[foreign_pk])
        if change in response.content.decode():
            failures.append(f"admin change list of {model._meta.label} links to school A's row {change}")
    assert not failures, "\n".join(failures)
