"""The module registry (orgs/modules.py): what an app's registration.py may declare, and what it may not."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from orgs import modules
from orgs.modules import MenuEntry, extend_module, register_module


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the real one is filled at startup and left alone)."""
    empty_modules, empty_namespaces = {}, {}
    monkeypatch.setattr(modules, "MODULES", empty_modules)
    monkeypatch.setattr(modules, "NAMESPACE_TO_MODULE", empty_namespaces)
    return empty_modules


def test_a_module_gathers_the_namespaces_and_menu_entries_of_its_apps_in_order(registry):
    first, second, third = (MenuEntry(label, f"{ns}:index", f"{ns}.use") for label, ns in
                            (("甲", "one"), ("乙", "one"), ("丙", "two")))
    register_module("m", "模块", "说明", namespaces=("one",), menu=(first, second))
    extend_module("m", namespaces=("two",), menu=(third,))
    assert registry["m"].namespaces == ("one", "two") and registry["m"].menu == (first, second, third)
    assert modules.module_for_namespace("two:nested") == "m"
    assert modules.module_choices() == [("m", "模块")]


def test_planned_modules_come_after_the_built_ones(registry):
    register_module("later", "计划中", "", namespaces=("later",), planned=True)
    register_module("built", "已建", "", namespaces=("built",))
    register_module("later_too", "计划中二", "", planned=True)
    assert list(registry) == ["built", "later", "later_too"]
    assert registry["later"].planned and not registry["built"].planned


def test_a_key_or_a_namespace_registered_twice_stops_the_startup(registry):
    register_module("m", "模块", "", namespaces=("one",))
    with pytest.raises(ImproperlyConfigured, match="twice"):
        register_module("m", "又一个", "")
    register_module("n", "另一个", "")
    with pytest.raises(ImproperlyConfigured, match="already belongs"):
        extend_module("n", namespaces=("one",))


def test_an_app_extends_only_a_module_declared_before_it(registry):
    with pytest.raises(ImproperlyConfigured, match="not registered"):
        extend_module("m", namespaces=("one",))
