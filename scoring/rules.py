"""Permissions on scores. A member sees their own; office, presidium and the school's admin their
organisation's; a department head their department's (the selectors narrow what each one sees)."""

import rules

from members.models import Role
from members.roles import membership_kinds, scope_ids
from orgs.models import OrganisationKind
from scoring.award_selectors import may_confirm, may_propose
from scoring.rulebook_selectors import can_edit_rulebook
from scoring.selectors import scored_organisations
from scoring.services import is_president


@rules.predicate
def has_alliance(user):
    return (user.is_authenticated and user.tenant_id is not None and user.tenant.has_module("alliance"))


@rules.predicate
def has_person(user):
    return getattr(user, "person_id", None) is not None


@rules.predicate
def sees_some_scores(user):
    """Cached on the user for the rest of the request, like its grants: the menu and the home page ask often."""
    cached = getattr(user, "_sees_scores_cache", None)
    if cached is None:
        cached = user._sees_scores_cache = scored_organisations(user)[0].exists()
    return cached


@rules.predicate
def was_alliance_member(user):
    """Scores are kept in alliance organisations only: someone never a member of one has none to see (the page
    opens and says so; the menu does not offer it)."""
    return OrganisationKind.ALLIANCE in membership_kinds(user)


rules.add_perm("scoring.view_own_score", has_alliance & has_person)
rules.add_perm("scoring.offer_own_score", has_alliance & has_person & was_alliance_member)  # the menu's 我的积分
rules.add_perm("scoring.view_scores", has_alliance & sees_some_scores)

# --- eligibility and awards (SC-12, SC-13): scoring/award_views.py. Who sees an organisation's award lists is
# who sees its scores (a head: their department's); the head proposes (the president for the presidium), the
# office confirms. ---


@rules.predicate
def proposes_awards_of(user, department):
    return department is not None and may_propose(user, department)


@rules.predicate
def confirms_awards_of(user, organisation):
    return organisation is not None and may_confirm(user, organisation)


rules.add_perm("scoring.view_awards", has_alliance & sees_some_scores)
rules.add_perm("scoring.propose_award", has_alliance & proposes_awards_of)
rules.add_perm("scoring.confirm_award", has_alliance & confirms_awards_of)


# --- discretionary entries and incidents (SC-9, SC-11, SC-14): scoring/entry_views.py ---
# Whoever sees the organisation's scores sees them (a department head: their department's); the office of the
# organisation records and removes them; its president (总部长; each presidium member where the rulebook asks
# the whole presidium) decides positive entries and revokes approved ones — the services refuse anyone else with
# a message (scoring.entries.discretionary_decide, discretionary_revoke).


@rules.predicate
def records_entries_of(user, organisation):
    return organisation is not None and organisation.pk in scope_ids(user, Role.OFFICE, "organisation_id")


@rules.predicate
def decides_entries_of(user, organisation):
    return organisation is not None and is_president(user, organisation)


rules.add_perm("scoring.record_entries", has_alliance & records_entries_of)
rules.add_perm("scoring.decide_discretionary", has_alliance & decides_entries_of)
rules.add_perm("scoring.revoke_discretionary", has_alliance & decides_entries_of)


# --- the rulebook, its versions and re-scoring an open term (issue 5 item 1): scoring/rulebook_views.py ---
# Whoever sees the organisation's scores reads its rulebook; its office and the school's admin edit it and
# re-score its open terms.


@rules.predicate
def edits_rulebook_of(user, organisation):
    return organisation is not None and can_edit_rulebook(user, organisation)


rules.add_perm("scoring.view_rulebook", has_alliance & sees_some_scores)
rules.add_perm("scoring.edit_rulebook", has_alliance & edits_rulebook_of)
