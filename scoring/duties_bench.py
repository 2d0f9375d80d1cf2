"""Scoring's open items for the duty engine's benchmark (duties/benchmarks.py finds this module: duties may not
import scoring). For one alliance organisation of the bench school: positive discretionary entries waiting for the
president, entered five and twelve days ago; sanctions submitted five days ago, and sanctions confirmed five days
ago waiting to be filed. (The award window is the term's, opened by the benchmark itself.) In bulk."""

import datetime as dt

from duties.benchmarks import TITLE, Alliance, Items, Rows, register_items
from orgs.calendar import local_date
from scoring.models import ApprovalStatus, DiscretionaryEntry, Rule, Rulebook, Sanction, SanctionStatus, TermRulebook
from scoring.services import term_rulebook_bind


def _rulebook(alliance: Alliance) -> tuple[Rule, Rows]:
    """A rule of the organisation's rulebook, and the rulebook rows to remove afterwards: all of a new
    organisation's (seeded when it was created), or the binding made here for the synthetic alliance (written in
    bulk, it has none)."""
    organisation = alliance.organisation
    rule = Rule.objects.filter(rulebook__organisation=organisation).order_by("pk").first()
    made = alliance.new or rule is None
    if rule is None:
        term_rulebook_bind(organisation=organisation, term=alliance.term, now=alliance.now)
        rule = Rule.objects.filter(rulebook__organisation=organisation).order_by("pk").first()
    if not made:
        return rule, []
    return rule, [(Rulebook, list(Rulebook.objects.filter(organisation=organisation).values_list("pk", flat=True))),
                  (TermRulebook, list(TermRulebook.objects.filter(organisation=organisation).values_list(
                      "pk", flat=True)))]


def build(alliance: Alliance) -> Rows:
    tenant, now, members, term = alliance.tenant, alliance.now, alliance.members, alliance.term
    rule, rows = _rulebook(alliance)
    entries = DiscretionaryEntry.objects.bulk_create([
        DiscretionaryEntry(tenant=tenant, organisation=alliance.organisation, term=term, rule=rule, person_id=pk,
                           points=2, reason=TITLE, on=local_date(now), entered_by_id=alliance.office_id,
                           approval=ApprovalStatus.PENDING, entered_at=now - dt.timedelta(days=5 if j % 2 else 12))
        for j, pk in enumerate(members[::10])])
    common = {"tenant": tenant, "organisation": alliance.organisation, "term": term, "level": "warning",
              "submitted_by_id": alliance.office_id}
    sanctions = Sanction.objects.bulk_create([
        Sanction(**common, person_id=pk, status=SanctionStatus.SUBMITTED, proposed_at=now - dt.timedelta(days=6),
                 submitted_at=now - dt.timedelta(days=5)) for pk in members[1::20]
    ] + [
        Sanction(**common, person_id=pk, status=SanctionStatus.CONFIRMED, proposed_at=now - dt.timedelta(days=8),
                 submitted_at=now - dt.timedelta(days=7), decided_at=now - dt.timedelta(days=5))
        for pk in members[2::20]
    ])
    return [*rows, (DiscretionaryEntry, [e.pk for e in entries]), (Sanction, [s.pk for s in sanctions])]


def leftovers(tenant, users: list[int], organisations: list[int]) -> Rows:
    """What a run that died before its clean-up left: its entries and sanctions (by their author, one of the
    benchmark's accounts) and the rulebooks of its organisations."""
    return [(Rulebook, list(Rulebook.objects.filter(organisation_id__in=organisations).values_list("pk", flat=True))),
            (TermRulebook, list(TermRulebook.objects.filter(organisation_id__in=organisations).values_list(
                "pk", flat=True))),
            (DiscretionaryEntry, list(DiscretionaryEntry.objects.filter(entered_by_id__in=users).values_list(
                "pk", flat=True))),
            (Sanction, list(Sanction.objects.filter(submitted_by_id__in=users).values_list("pk", flat=True)))]


register_items(Items("scoring", build, leftovers))
