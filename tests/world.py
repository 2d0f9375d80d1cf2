"""A "world": one object of every tenant-bound model in one tenant, built with the apps' own factories.

Discovery is automatic, so a model added by a later issue is covered without editing the tests:

* tenant-owned models are the concrete subclasses of ``orgs.tenancy.TenantOwned``;
* tenant-bound models add the global models that belong to a school through a ``tenant`` foreign key
  (``members.User``);
* a model's factory is the ``DjangoModelFactory`` for it in ``<app>.tests.factories``. A model without one
  fails the test that needs the world, naming the model — it is never skipped.

The objects of a world point at each other (the membership's department is the world's department, which
belongs to the world's organisation), so a page that nests one object under another finds a consistent
pair and only tenancy can make it answer 404.
"""

import importlib
from graphlib import CycleError, TopologicalSorter

import factory
from django.apps import apps
from django.db import models

from orgs.models import Tenant
from orgs.tenancy import TenantOwned, tenant_scope


def tenant_owned_models() -> list[type[models.Model]]:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, TenantOwned)), key=lambda m: m._meta.label
    )


def _has_tenant_fk(model) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return field.is_relation and field.concrete and field.related_model is Tenant


def tenant_bound_models() -> list[type[models.Model]]:
    """Tenant-owned models plus global models that belong to one school (a user of a school)."""
    return sorted((m for m in apps.get_models() if _has_tenant_fk(m)), key=lambda m: m._meta.label)


def factory_for(model):
    """The factory of ``model`` in ``<app>.tests.factories``, or None."""
    try:
        module = importlib.import_module(f"{model._meta.app_config.name}.tests.factories")
    except ModuleNotFoundError:
        return None
    found = [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, factory.django.DjangoModelFactory)
        and obj._meta.model is model
    ]
    preferred = [f for f in found if f.__name__ == f"{model.__name__}Factory"]
    return (preferred or found or [None])[0]


def missing_factories() -> list[str]:
    return [m._meta.label for m in tenant_bound_models() if factory_for(m) is None]


def _links(model, bound: set, declared: set) -> list:
    """The foreign keys the world fills with its own objects: required ones, and optional ones the factory sets."""
    links = []
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name == "tenant" or field.related_model not in bound:
            continue
        if field.related_model is model:
            continue  # a parent of the same kind (organisation → parent): left empty
        if not field.null or field.name in declared:
            links.append(field)
    return links


def build_world(tenant) -> dict[type[models.Model], models.Model]:
    """One object of every tenant-bound model in ``tenant``; fails naming the models that have no factory."""
    missing = missing_factories()
    assert not missing, (
        f"No factory for the tenant-owned model(s) {', '.join(missing)}: add a <Model>Factory to "
        "<app>/tests/factories.py whose sub-factories share the tenant."
    )
    bound = set(tenant_bound_models())
    plan = {}
    for model in bound:
        factory_class = factory_for(model)
        plan[model] = (factory_class, _links(model, bound, set(factory_class._meta.declarations)))
    try:
        order = list(TopologicalSorter({m: {f.related_model for f in links} for m, (_, links) in plan.items()})
                     .static_order())
    except CycleError as error:  # pragma: no cover - a model graph with a required cycle
        raise AssertionError(f"Cannot order the world's models: {error}") from None
    world = {}
    with tenant_scope(tenant):
        for model in order:
            factory_class, links = plan[model]
            world[model] = factory_class(tenant=tenant, **{f.name: world[f.related_model] for f in links})
    return world
