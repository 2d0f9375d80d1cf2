"""Keep the stored ledger equal to the facts: ask for a sync of the term whose facts a service just changed
(done by a task right after the commit, docs/scoring.md). And give every new alliance-type organisation its own
copy of SPEC's default rulebook."""

from django.db.models.signals import post_save
from django.utils import timezone

from attendance.signals import facts_changed
from orgs.models import Organisation, OrganisationKind, Term
from orgs.tenancy import tenant_scope
from scoring import services


def resync_term(sender, *, organisation_id, on, now, **kwargs):
    organisation = Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.ALLIANCE).select_related(
        "tenant").first()
    if organisation is None or not organisation.tenant.has_module("alliance"):
        return
    term_id = Term.objects.filter(tenant_id=organisation.tenant_id, start__lte=on, end__gte=on).values_list(
        "pk", flat=True).first()
    if term_id is not None:
        services.ledger_request(organisation_id=organisation.pk, tenant_id=organisation.tenant_id, term_id=term_id,
                                now=now)


def seed_rulebook(sender, instance, created, raw=False, **kwargs):
    """A new alliance organisation (however it is made: a service, the admin, an import) gets version 1."""
    if created and not raw and instance.kind == OrganisationKind.ALLIANCE:
        with tenant_scope(instance.tenant_id):  # the admin or a command may create it outside any scope
            services.rulebook_ensure(organisation=instance, now=timezone.now())


def connect():
    facts_changed.connect(resync_term, dispatch_uid="scoring.resync_term")
    post_save.connect(seed_rulebook, sender=Organisation, dispatch_uid="scoring.seed_rulebook")
