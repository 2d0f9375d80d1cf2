"""Tenancy: the one place that decides which school's rows a query may see.

* ``TenantOwned`` is the base of every tenant-owned table. Its default manager is django-scopes'
  ``ScopedManager``: without an active ``scope(tenant=...)`` any query raises ``ScopeError`` instead of
  returning every school's rows. ``TenantManager`` also closes the few ways django-scopes 2.1 leaves
  open (``exists()``, ``explain()``, async iteration, pickling), which would run unscoped.
* ``TenantMiddleware`` (orgs.middleware) opens the scope for the logged-in user's tenant; Celery tasks use
  ``tenant_scope``; management commands name their tenant.
* ``get_object_or_404`` here is the access helper every view uses: under the scope, another tenant's row
  and a missing row are the same ``Http404``.

Every index and unique constraint of a tenant-owned table starts with ``tenant_id`` (tests/test_tenancy.py
reads the database's own catalogue to prove it), so foreign keys on these tables are declared with
``db_index=False`` and indexed together with the tenant in ``Meta.indexes``.
"""

from contextlib import contextmanager

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.manager import DisabledQuerySet

__all__ = ["TenantOwned", "TenantManager", "tenant_scope", "scopes_disabled", "get_object_or_404", "tenant_fk"]


class _UnscopedQuerySet(DisabledQuerySet):
    """What a tenant-owned query is without a scope: every way to run it raises ``ScopeError``.

    django-scopes' own ``DisabledQuerySet`` misses ``exists()`` and ``explain()`` and evaluates through
    ``_fetch_all`` (async iteration, pickling) and ``aiterator()`` without a check.
    """

    _fetch_all = DisabledQuerySet.error
    exists = DisabledQuerySet.error
    explain = DisabledQuerySet.error
    aiterator = DisabledQuerySet.error
    __aiter__ = DisabledQuerySet.error


class TenantManager(ScopedManager(tenant="tenant").__class__):
    def get_queryset(self):
        queryset = super().get_queryset()
        if type(queryset) is DisabledQuerySet:
            queryset.__class__ = _UnscopedQuerySet
        return queryset


class TenantOwned(models.Model):
    tenant = models.ForeignKey("orgs.Tenant", on_delete=models.CASCADE, related_name="+", editable=False,
                               verbose_name=_("学校"))

    objects = TenantManager()

    class Meta:
        abstract = True


def tenant_fk(to, *, on_delete=models.PROTECT, **kwargs):
    """A foreign key on a tenant-owned table: no index of its own (the model indexes it behind tenant)."""
    kwargs.setdefault("db_index", False)
    return models.ForeignKey(to, on_delete=on_delete, **kwargs)


@contextmanager
def tenant_scope(tenant_or_id):
    """Open the scope of one tenant (for tasks, commands and tests). ``None`` is refused, never 'all'."""
    tenant_id = getattr(tenant_or_id, "pk", tenant_or_id)
    if tenant_id is None:
        raise ValueError("tenant_scope needs a tenant; use scopes_disabled() to cross tenants on purpose.")
    with scope(tenant=tenant_id):
        yield


def get_object_or_404(queryset_or_model, **lookup):
    """Fetch one row of the active tenant; a missing row and another school's row are the same 404."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404() from None
