"""The modules a tenant can switch on (SPEC OR-5), as the apps register them.

A module owns URL namespaces; ``TenantMiddleware.process_view`` answers 404 for a namespace whose module is
off for the request's tenant, and the menu (orgs.context_processors) shows a module's entries only where it
is on. orgs holds the mechanism and names no module: each app declares its part in its own
``registration.py``, which ``discover()`` imports for every installed app (once, from orgs' AppConfig.ready),
in the order of INSTALLED_APPS:

* ``register_module(key, label, description, namespaces=…, menu=…)`` declares a module the app defines;
* ``extend_module(key, namespaces=…, menu=…)`` adds an app's namespaces and menu entries to a module declared
  by an app before it in INSTALLED_APPS (scoring adds its pages to attendance's "alliance").

A module whose app is not built yet is declared with ``planned=True`` (config/modules.py), so that schools can
already switch it on; planned modules come after the built ones. Registering a key or a namespace twice is an
error at startup.
"""

import dataclasses
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

#: The file each app declares its registration in (modules, menu entries, home links).
REGISTRATION_MODULE = "registration"


@dataclass(frozen=True)
class MenuEntry:
    """A menu item. It is the current one on its own URL and below it — or, with ``exact``, on its URL only
    (an entry at a namespace's root would otherwise claim every page of the namespace) — and on the pages of
    its section at other paths, named in ``also``: below a URL that takes no argument, or on the pages of a
    URL name that takes some. The longest match wins (orgs.context_processors)."""

    label: str
    url_name: str
    permission: str
    exact: bool = False
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    description: str
    namespaces: tuple[str, ...]
    menu: tuple[MenuEntry, ...] = field(default=())
    planned: bool = False  # declared before its app exists (config/modules.py): switchable, no pages yet


#: Every registered module by key: the built ones in INSTALLED_APPS order, then the planned ones. Filled in
#: place (other modules import the dict itself).
MODULES: dict[str, Module] = {}
NAMESPACE_TO_MODULE: dict[str, str] = {}


def register_module(key: str, label, description, *, namespaces=(), menu=(), planned: bool = False) -> Module:
    """Declare a module that schools can switch on, with the URL namespaces and menu entries it starts with."""
    if key in MODULES:
        raise ImproperlyConfigured(f"Module {key!r} is registered twice.")
    MODULES[key] = Module(key, label, description, (), (), planned)
    _order()
    return extend_module(key, namespaces=namespaces, menu=menu)


def extend_module(key: str, *, namespaces=(), menu=()) -> Module:
    """Add URL namespaces and menu entries (after the module's entries so far) to a registered module."""
    if key not in MODULES:
        raise ImproperlyConfigured(f"Module {key!r} is not registered (yet): an app extends a module declared by "
                                   f"an app before it in INSTALLED_APPS.")
    for namespace in namespaces:
        if namespace in NAMESPACE_TO_MODULE:
            raise ImproperlyConfigured(
                f"Namespace {namespace!r} already belongs to module {NAMESPACE_TO_MODULE[namespace]!r}.")
        NAMESPACE_TO_MODULE[namespace] = key
    module = MODULES[key]
    MODULES[key] = dataclasses.replace(
        module, namespaces=module.namespaces + tuple(namespaces), menu=module.menu + tuple(menu))
    return MODULES[key]


def _order():
    """Built modules first (in registration order), then the planned ones."""
    ordered = sorted(MODULES.values(), key=lambda module: module.planned)
    MODULES.clear()
    MODULES.update((module.key, module) for module in ordered)


def discover():
    """Import every installed app's ``registration.py`` (a module already imported is not run again)."""
    autodiscover_modules(REGISTRATION_MODULE)


def module_choices():
    return [(m.key, m.label) for m in MODULES.values()]


def module_for_namespace(namespace: str | None) -> str | None:
    """The module that owns a URL namespace (its first segment, for nested namespaces), if any."""
    if not namespace:
        return None
    return NAMESPACE_TO_MODULE.get(namespace.split(":")[0])
