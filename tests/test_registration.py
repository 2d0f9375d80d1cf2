"""Apps register themselves (orgs/modules.py, members/home.py): every app's registration.py is found at startup,
what it registers exists (URL names, permissions, modules), and the ground floor — orgs and members — names no
domain app."""

import ast
import sys
import textwrap
from pathlib import Path

import pytest
import rules
from django.apps import AppConfig, apps
from django.conf import settings
from django.urls import get_resolver, reverse

from members import home
from members.models import Role
from orgs import modules

GROUND_FLOOR = ("orgs", "members")


def _url_name_exists(url_name: str) -> bool:
    """A URL name exists, whether or not it takes arguments (``MenuEntry.also`` may name one that does)."""
    *namespaces, name = url_name.split(":")
    resolver = get_resolver()
    for namespace in namespaces:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return name in resolver.reverse_dict


def _registered_entries():
    for module in modules.MODULES.values():
        for entry in module.menu:
            yield module.key, entry.url_name, entry.permission, entry.also
    for role, links in home.ROLE_LINKS.items():
        for link in links:
            yield role, link.url_name, link.permission, ()


def test_every_registered_page_reverses_and_every_permission_exists():
    for owner, url_name, permission, also in _registered_entries():
        assert reverse(url_name), (owner, url_name)
        assert permission is None or rules.perm_exists(permission), (owner, permission)
        for name in also:
            assert _url_name_exists(name), (owner, name)


def test_every_link_names_a_registered_module_and_every_role_is_a_role():
    assert set(home.ROLE_LINKS) <= set(Role.values)
    for links in home.ROLE_LINKS.values():
        assert all(link.module is None or link.module in modules.MODULES for link in links)


def test_a_built_module_owns_namespaces_of_the_urlconf():
    namespaces = get_resolver().namespace_dict
    for module in modules.MODULES.values():
        if not module.planned:
            assert module.namespaces and all(ns in namespaces for ns in module.namespaces), module.key


def test_the_alliance_menu_is_attendances_entries_then_scorings():
    alliance = modules.MODULES["alliance"]
    assert alliance.namespaces == ("attendance", "scoring") and not alliance.planned
    assert [entry.url_name for entry in alliance.menu] == [
        "attendance:meeting_list", "attendance:task_list", "attendance:my_attendance",
        "scoring:organisation_list", "scoring:my_score",
    ]


def test_the_planned_modules_are_switchable_and_come_after_the_built_ones():
    assert list(modules.MODULES) == ["alliance", "psych_network", "dormlink", "union", "community"]
    assert [key for key, module in modules.MODULES.items() if module.planned] == list(modules.MODULES)[1:]


@pytest.fixture
def probe_app(tmp_path, monkeypatch):
    """An installed app that exists only for the test, with a registration.py; the registries are restored."""
    package = tmp_path / "registration_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "registration.py").write_text(textwrap.dedent("""
        from members.home import Link, register_role_links
        from members.models import Role
        from orgs.modules import MenuEntry, extend_module, register_module

        register_module("probe", "探针模块", "测试用", namespaces=("probe",),
                        menu=(MenuEntry("探针", "probe:index", "probe.use"),))
        extend_module("alliance", menu=(MenuEntry("探针二", "probe:more", "probe.use"),))
        register_role_links(Role.OFFICE, Link("探针", "probe:index", "probe.use", module="probe"))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = [(live, dict(live)) for live in (modules.MODULES, modules.NAMESPACE_TO_MODULE, home.ROLE_LINKS)]
    installed = apps.get_app_configs()
    probe = AppConfig.create("registration_probe")
    monkeypatch.setattr(apps, "get_app_configs", lambda: [*installed, probe])
    yield
    for live, copy in saved:
        live.clear()
        live.update(copy)
    for name in ("registration_probe.registration", "registration_probe"):
        sys.modules.pop(name, None)


def test_a_new_apps_registration_is_discovered(probe_app):
    before = dict(modules.MODULES)
    modules.discover()
    assert list(modules.MODULES) == ["alliance", "probe", "psych_network", "dormlink", "union", "community"]
    assert modules.module_for_namespace("probe") == "probe"
    assert [e.url_name for e in modules.MODULES["probe"].menu] == ["probe:index"]
    assert modules.MODULES["alliance"].menu == (*before["alliance"].menu, modules.MODULES["alliance"].menu[-1])
    assert [link.url_name for link in home.ROLE_LINKS[Role.OFFICE]][-1] == "probe:index"
    modules.discover()  # an app's registration runs once
    assert len(modules.MODULES["probe"].menu) == 1


# --- the ground floor names no domain app ---


def _domain_apps() -> set[str]:
    """The project's own apps above the ground floor (attendance, scoring, and those that come next)."""
    base = Path(settings.BASE_DIR)
    own = {config.label for config in apps.get_app_configs() if Path(config.path).parent == base}
    return own - set(GROUND_FLOOR)


def _ground_floor_sources():
    base = Path(settings.BASE_DIR)
    for app in GROUND_FLOOR:
        for path in sorted((base / app).rglob("*.py")):
            if not {"tests", "migrations"}.intersection(path.relative_to(base / app).parts):
                yield path


def _docstrings(tree) -> set[int]:
    """The ids of the docstring constants (prose may mention an app; code may not)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_orgs_and_members_name_no_domain_app():
    """No import of a domain app, no URL name (``attendance:…``) and no permission (``scoring.…``) of one."""
    domain = _domain_apps()
    assert {"attendance", "scoring"} <= domain
    namespaces = {ns for module in modules.MODULES.values() for ns in module.namespaces}
    prefixes = tuple(f"{name}{sep}" for name in domain | namespaces for sep in (":", "."))
    found = []
    for path in _ground_floor_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, node.lineno, a.name) for a in node.names if a.name.split(".")[0] in domain]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in domain:
                found.append((path, node.lineno, node.module))
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                  and node.value.startswith(prefixes)):
                found.append((path, node.lineno, node.value))
    assert found == []
