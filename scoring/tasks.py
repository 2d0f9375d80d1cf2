"""Celery tasks of scoring: ids in, one service call. Beat runs ``ledger_sync_due_all`` (config/settings.py)."""

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from orgs.models import Organisation, Tenant, Term
from orgs.tasks import tenant_task
from scoring import services


@tenant_task()
def ledger_sync_due(tenant_id):
    """What the date alone changes: the entries the presidium has all agreed to since one member left it, then
    the running terms' ledgers (month bonuses, missed deadlines)."""
    tenant, now = Tenant.objects.get(pk=tenant_id), timezone.now()
    services.discretionary_settle(tenant=tenant, now=now)
    services.ledger_sync_due(tenant=tenant, now=now)


@tenant_task()
def ledger_sync_requested(tenant_id, organisation_id, term_id):
    """After a change of a term's facts has committed (``services.ledger_request``): sync that term, once for a
    burst of changes."""
    organisation, term = Organisation.objects.filter(pk=organisation_id).first(), Term.objects.filter(
        pk=term_id).first()
    if organisation is not None and term is not None:  # (a school removed since: nothing left to sync)
        services.ledger_sync_requested(organisation=organisation, term=term, now=timezone.now())


@shared_task
def ledger_sync_due_all():
    """Fan out: one task per active school with the alliance module (a slow school does not hold up others)."""
    with scopes_disabled():
        ids = [t.pk for t in Tenant.objects.filter(is_active=True).order_by("pk") if t.has_module("alliance")]
    for tenant_id in ids:
        ledger_sync_due.delay(tenant_id)
    return len(ids)
