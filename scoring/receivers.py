"""Keep the stored ledger equal to the facts: re-sync the term whose facts a service just changed."""

from attendance.signals import facts_changed
from orgs.models import Organisation, OrganisationKind, Term
from scoring import services


def resync_term(sender, *, organisation_id, on, now, **kwargs):
    organisation = Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.ALLIANCE).select_related(
        "tenant").first()
    if organisation is None or not organisation.tenant.has_module("alliance"):
        return
    term = Term.objects.filter(tenant_id=organisation.tenant_id, start__lte=on, end__gte=on).first()
    if term is not None:
        services.ledger_sync(organisation=organisation, term=term, now=now)


def connect():
    facts_changed.connect(resync_term, dispatch_uid="scoring.resync_term")
