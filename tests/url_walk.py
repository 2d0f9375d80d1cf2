"""The walk of the project's URL patterns that take an argument, and the filling of their arguments by the
project's convention (``<model_name>_id`` an id of that model, ``key`` a policy key, ``PLAIN_VALUES``), for the
tests that ask every URL (tests/test_tenant_isolation.py describes the convention). ``NOT_OBJECT_URLS``: the
patterns left out, by name, with the reason."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Max
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

from orgs import policies
from orgs.models import Tenant
from orgs.tenancy import scopes_disabled
from tests.world import tenant_bound_models

#: Patterns that take an argument but no object id, skipped by name (of the view or of the URL).
NOT_OBJECT_URLS = {
    "django.views.static.serve": "media files (served only in DEBUG)",
    "django.contrib.staticfiles.views.serve": "static files (served only in DEBUG)",
    "set_language": "i18n: switches the language",
    "javascript-catalog": "i18n: the JavaScript translation catalogue",
    "json-catalog": "i18n: the JSON translation catalogue",
    "password_reset_confirm": "a signed one-time token, not an object id",
    "account_activate": "a signed one-time token, not an object id (members/tests/test_accounts.py)",
    "import_template": "a kind of import and a file format, not an object id (members/tests/test_import_views.py)",
    "import_export": "a kind of import and a file format, not an object id; exports only the user's own school",
    "checkin": "a rotating signed code besides the meeting id, answering only an expected member (B's widest user is "
               "expected nowhere); another school's meeting = a missing one: attendance/tests/test_checkin.py",
}


#: Namespaces walked by their own test below.
WALKED_ELSEWHERE = {"admin": "walked through admin.site._registry by test_admin_object_urls_answer_404"}


#: Arguments that name no object, with the value the walk gives them (attendance:monthly_download).
PLAIN_VALUES = {"month": "2026-11", "fmt": "xlsx"}


_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


class Unfillable(Exception):
    pass


@dataclass(frozen=True)
class Route:
    route: str  # as ResolverMatch.route spells it
    name: str | None  # namespaced
    namespace: str  # even for an unnamed pattern
    view: str  # dotted path of the callback
    levels: tuple  # the pattern of each level, from the root
    kwargs: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name or self.view} ({self.route})"


def _kwargs_of(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _join(route1: str, route2: str) -> str:
    return route2 if not route1 else route1 + route2.removeprefix("^")


def _view_path(callback) -> str:
    target = getattr(callback, "view_class", None) or getattr(callback, "__wrapped__", None) or callback
    return f"{target.__module__}.{target.__qualname__}"


def walk(resolver=None, levels=(), namespaces=(), route=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry, levels + (entry.pattern,), namespace, _join(route, str(entry.pattern)))
        else:
            all_levels = levels + (entry.pattern,)
            yield Route(
                route=_join(route, str(entry.pattern)),
                name=":".join(namespaces + (entry.name,)) if entry.name else None,
                namespace=":".join(namespaces),
                view=_view_path(entry.callback),
                levels=all_levels,
                kwargs=tuple(k for level in all_levels for k in _kwargs_of(level)),
            )


def _skipped(route: Route) -> str | None:
    namespace = route.namespace.split(":")[0]
    if namespace in WALKED_ELSEWHERE:
        return WALKED_ELSEWHERE[namespace]
    short_name = route.name.split(":")[-1] if route.name else None
    return NOT_OBJECT_URLS.get(route.view) or NOT_OBJECT_URLS.get(short_name)


def object_routes() -> list[Route]:
    """Every pattern of the project that takes an argument, less the ones skipped by name."""
    return [r for r in walk() if r.kwargs and not _skipped(r)]


def _models_by_name() -> dict[str, type]:
    names: dict[str, list] = {}
    for model in apps.get_models():
        names.setdefault(model._meta.model_name, []).append(model)
    return names


MODELS_BY_NAME = {name: models[0] for name, models in _models_by_name().items()}


BOUND = set(tenant_bound_models())


def _model_of(kwarg: str):
    """The model a ``<model_name>_id`` argument names (Tenant for ``tenant_id``), or None."""
    if not kwarg.endswith("_id"):
        return None
    model = MODELS_BY_NAME.get(kwarg.removesuffix("_id"))
    if model is None:
        raise Unfillable(f"{kwarg}: no installed model is named {kwarg.removesuffix('_id')!r}")
    if model is not Tenant and model not in BOUND:
        raise Unfillable(f"{kwarg}: {model._meta.label} belongs to no school, so it cannot be another school's")
    return model


def _missing_pk(model) -> int:
    with scopes_disabled():
        return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 100_000


def _policy_key() -> str:
    core = [key for key, policy in policies.REGISTRY.items() if policy.module is None]
    return (core or list(policies.REGISTRY))[0]


@dataclass
class Cast:
    tenant_a: Tenant
    tenant_b: Tenant
    world_a: dict
    world_b: dict

    def value(self, kwarg: str, side: str):
        """The value of ``kwarg`` for ``side``: 'a' (school A's object), 'b' (B's own) or 'missing'."""
        if kwarg == "key":
            return "no_such.policy" if side == "missing" else _policy_key()
        if kwarg in PLAIN_VALUES:
            return PLAIN_VALUES[kwarg]
        model = _model_of(kwarg)
        if model is None:
            raise Unfillable(f"{kwarg}: not an object id of the <model_name>_id convention, nor 'key'")
        if side == "missing":
            return _missing_pk(model)
        if model is Tenant:
            return (self.tenant_a if side == "a" else self.tenant_b).pk
        return (self.world_a if side == "a" else self.world_b)[model].pk


def _is_object_kwarg(kwarg: str) -> bool:
    return kwarg != "key" and kwarg not in PLAIN_VALUES


def _fill(pattern: RoutePattern, values: dict) -> str:
    """A path() route with its <converter:name> parts replaced by ``values``."""

    def one(match):
        return str(pattern.converters[match["parameter"]].to_url(values[match["parameter"]]))

    return _PARAMETER.sub(one, str(pattern))


def build_path(route: Route, values: dict) -> str:
    parts = []
    for level in route.levels:
        if isinstance(level, RoutePattern):
            parts.append(_fill(level, values))
        elif isinstance(level, LocalePrefixPattern):
            parts.append(level.language_prefix)
        elif route.name:
            return reverse(route.name, kwargs=values)
        else:
            raise Unfillable("an unnamed regular-expression pattern cannot be built")
    path = "/" + "".join(parts)
    match = resolve(path)
    if match.route != route.route:
        raise Unfillable(f"{path} resolves to {match.route!r}, not to this pattern")
    return path
