"""Permissions on scores. A member sees their own; office, presidium and the school's admin their
organisation's; a department head their department's (the selectors narrow what each one sees)."""

import rules

from scoring.selectors import scored_organisations


@rules.predicate
def has_alliance(user):
    return (user.is_authenticated and user.tenant_id is not None and user.tenant.has_module("alliance"))


@rules.predicate
def has_person(user):
    return getattr(user, "person_id", None) is not None


@rules.predicate
def sees_some_scores(user):
    return scored_organisations(user)[0].exists()


rules.add_perm("scoring.view_own_score", has_alliance & has_person)
rules.add_perm("scoring.view_scores", has_alliance & sees_some_scores)
