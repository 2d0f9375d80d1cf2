"""Writes of scoring: an organisation's rulebook, the version a term runs under, and the stored ledger.

``ledger_sync`` is the one way the ledger changes: it computes the term from scratch (scoring.engine) and
stores the difference, so the stored ledger always equals a from-scratch computation and running it twice
changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from orgs.calendar import local_date
from orgs.models import Organisation, OrganisationKind, Term
from scoring import engine, facts
from scoring.defaults import default_rules, default_settings
from scoring.models import LedgerEntry, Rule, Rulebook, TermRulebook


@transaction.atomic
def rulebook_ensure(*, organisation, now: dt.datetime) -> Rulebook:
    """The organisation's newest rulebook; version 1 from SPEC's defaults if it has none yet."""
    newest = Rulebook.objects.filter(organisation=organisation).order_by("-version").first()
    if newest is not None:
        return newest
    rulebook = Rulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, version=1,
                                       settings=default_settings(), created_at=now)
    Rule.objects.bulk_create([Rule(tenant_id=organisation.tenant_id, rulebook=rulebook, **row)
                              for row in default_rules()])
    return rulebook


@transaction.atomic
def term_rulebook_bind(*, organisation, term, now: dt.datetime) -> Rulebook:
    """The version the term runs under: bound once, to the newest version when the term is first scored."""
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    if bound is not None:
        return bound.rulebook
    rulebook = rulebook_ensure(organisation=organisation, now=now)
    TermRulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                rulebook=rulebook, bound_at=now)
    return rulebook


def engine_rulebook(rulebook: Rulebook) -> engine.Rulebook:
    return engine.Rulebook(
        engine.Rule(id=r.pk, fact=r.fact, outcome=r.outcome, points=r.points, kinds=frozenset(r.kinds),
                    stars_min=r.stars_min, stars_max=r.stars_max, reach=r.reach, term_cap=r.term_cap)
        for r in Rule.objects.filter(rulebook=rulebook).order_by("position", "pk")
    )


@dataclass
class SyncResult:
    created: int = 0
    deleted: int = 0
    changed: int = 0


def _stored(*, organisation, term) -> dict[tuple, tuple]:
    return {
        (person, rule, fact_type, fact_key): (pk, points, on)
        for pk, person, rule, fact_type, fact_key, points, on in LedgerEntry.objects.filter(
            organisation=organisation, term=term).values_list("pk", "person_id", "rule_id", "fact_type",
                                                              "fact_key", "points", "on")
    }


@transaction.atomic
def ledger_sync(*, organisation, term, now: dt.datetime) -> SyncResult:
    """Recompute the organisation's term as of ``now`` and store the difference (bulk operations only)."""
    rulebook = term_rulebook_bind(organisation=organisation, term=term, now=now)
    computed = engine.compute(facts.load(organisation_id=organisation.pk, term=term), engine_rulebook(rulebook),
                              as_of=now, today=local_date(now))
    stored = _stored(organisation=organisation, term=term)
    result, new, changed = SyncResult(), [], []
    for entry in computed:
        row = stored.pop(entry.key, None)
        if row is None:
            new.append(LedgerEntry(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                   person_id=entry.person_id, rule_id=entry.rule_id, fact_type=entry.fact_type,
                                   fact_key=entry.fact_key, points=entry.points, on=entry.on))
        elif (row[1], row[2]) != (entry.points, entry.on):
            changed.append(LedgerEntry(pk=row[0], points=entry.points, on=entry.on))
    gone = [row[0] for row in stored.values()]
    for start in range(0, len(gone), 500):
        LedgerEntry.objects.filter(pk__in=gone[start:start + 500]).delete()
    LedgerEntry.objects.bulk_create(new, batch_size=1000)
    LedgerEntry.objects.bulk_update(changed, ["points", "on"], batch_size=500)
    result.created, result.deleted, result.changed = len(new), len(gone), len(changed)
    return result


def ledger_sync_due(*, tenant, now: dt.datetime) -> int:
    """What the date alone changes (a month's full-attendance bonus once the month is over, "never submitted"
    once a deadline passes): re-sync every alliance organisation's running term of the school, and the term
    that ended most recently in the last week (its last days' deadlines). Idempotent. Returns the syncs run."""
    if not tenant.is_active or not tenant.has_module("alliance"):
        return 0
    today = local_date(now)
    terms = list(Term.objects.filter(tenant=tenant, start__lte=today, end__gte=today - dt.timedelta(days=7)))
    runs = 0
    for organisation in Organisation.objects.filter(tenant=tenant, kind=OrganisationKind.ALLIANCE).order_by("pk"):
        for term in terms:
            ledger_sync(organisation=organisation, term=term, now=now)
            runs += 1
    return runs
