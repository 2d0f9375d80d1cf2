"""Celery tasks of scoring: ids in, one service call. Beat runs ``ledger_sync_due_all`` (config/settings.py)."""

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from orgs.tasks import tenant_task


@tenant_task()
def ledger_sync_due(tenant_id):
    from orgs.models import Tenant
    from scoring import services

    services.ledger_sync_due(tenant=Tenant.objects.get(pk=tenant_id), now=timezone.now())


@shared_task
def ledger_sync_due_all():
    """Fan out: one task per active school with the alliance module (a slow school does not hold up others)."""
    from orgs.models import Tenant

    with scopes_disabled():
        ids = [t.pk for t in Tenant.objects.filter(is_active=True).order_by("pk") if t.has_module("alliance")]
    for tenant_id in ids:
        ledger_sync_due.delay(tenant_id)
    return len(ids)
