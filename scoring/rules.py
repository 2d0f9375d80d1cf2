"""Permissions on scores. A member sees their own; office, presidium and the school's admin their
organisation's; a department head their department's (the selectors narrow what each one sees)."""

import rules

from members.models import Role
from members.roles import membership_kinds, reach
from orgs.models import OrganisationKind
from scoring.selectors.scores import scored_organisations

# --- who holds which post in an organisation: plain functions, because the services ask them too, on the day of
# the act (``on``; today by default) ---


def is_office_of(user, organisation, *, on=None) -> bool:
    """The organisation's office (办公室): reviews, submits and files sanctions, records entries, confirms award
    lists, edits the rulebook."""
    return organisation.pk in reach(user, Role.OFFICE, on=on).organisations


def is_president_of(user, organisation, *, on=None) -> bool:
    """The organisation's president (总部长, each member of the presidium): decides sanctions and positive
    entries, revokes them, proposes the presidium's award lists."""
    return organisation.pk in reach(user, Role.PRESIDENT, on=on).organisations


def heads_department(user, department, *, on=None) -> bool:
    """The head of the department proposes its award lists; for the presidium, the organisation's president."""
    if department.is_presidium:
        return is_president_of(user, department.organisation, on=on)
    return department.pk in reach(user, Role.DEPARTMENT_HEAD, on=on).departments


def is_school_admin(user, *, on=None) -> bool:
    return reach(user, Role.TENANT_ADMIN, on=on).school


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

# --- eligibility and awards (SC-12, SC-13): scoring/views/awards.py. Who sees an organisation's award lists is
# who sees its scores (a head: their department's); the head proposes (the president for the presidium), the
# office confirms. ---


@rules.predicate
def proposes_awards_of(user, department):
    return department is not None and heads_department(user, department)


@rules.predicate
def confirms_awards_of(user, organisation):
    return organisation is not None and is_office_of(user, organisation)


rules.add_perm("scoring.view_awards", has_alliance & sees_some_scores)
rules.add_perm("scoring.propose_award", has_alliance & proposes_awards_of)
rules.add_perm("scoring.confirm_award", has_alliance & confirms_awards_of)


# --- discretionary entries and incidents (SC-9, SC-11, SC-14): scoring/views/entries.py ---
# Whoever sees the organisation's scores sees them (a department head: their department's); the office of the
# organisation records and removes them; its president (总部长; each presidium member where the rulebook asks
# the whole presidium) decides positive entries and revokes approved ones — the services refuse anyone else with
# a message (scoring.services.entries.discretionary_decide, discretionary_revoke).


@rules.predicate
def records_entries_of(user, organisation):
    return organisation is not None and is_office_of(user, organisation)


@rules.predicate
def decides_entries_of(user, organisation):
    return organisation is not None and is_president_of(user, organisation)


rules.add_perm("scoring.record_entries", has_alliance & records_entries_of)
rules.add_perm("scoring.decide_discretionary", has_alliance & decides_entries_of)
rules.add_perm("scoring.revoke_discretionary", has_alliance & decides_entries_of)


# --- the rulebook, its versions and re-scoring an open term (issue 5 item 1): scoring/views/rulebooks.py ---
# Whoever sees the organisation's scores reads its rulebook; its office and the school's admin edit it and
# re-score its open terms.


@rules.predicate
def edits_rulebook_of(user, organisation):
    return organisation is not None and (is_school_admin(user) or is_office_of(user, organisation))


rules.add_perm("scoring.view_rulebook", has_alliance & sees_some_scores)
rules.add_perm("scoring.edit_rulebook", has_alliance & edits_rulebook_of)


# --- sanctions (SC-11, SC-14): scoring/views/sanctions.py. Whoever sees the organisation's scores sees its
# sanctions; its office reviews, submits and files them, its president decides and revokes them. Which of these
# a sanction's state allows is ``Sanction.allowed_acts``; the services refuse the rest with a message. ---


@rules.predicate
def handles_sanctions_of(user, organisation):
    return organisation is not None and is_office_of(user, organisation)


@rules.predicate
def decides_sanctions_of(user, organisation):
    return organisation is not None and is_president_of(user, organisation)


rules.add_perm("scoring.review_sanctions", has_alliance & handles_sanctions_of)
rules.add_perm("scoring.decide_sanctions", has_alliance & decides_sanctions_of)
rules.add_perm("scoring.act_on_sanctions", has_alliance & (handles_sanctions_of | decides_sanctions_of))
