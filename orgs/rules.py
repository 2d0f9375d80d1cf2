"""Permissions of the platform itself. Role-based permissions on the school's structure are declared in
members/rules.py, because roles live in members (orgs depends on nothing above it)."""

import rules

# --- predicates ---


@rules.predicate
def is_platform_admin(user):
    return user.is_authenticated and user.is_active and user.is_platform_admin


# --- permissions ---

rules.add_perm("orgs.manage_tenants", is_platform_admin)
for _action in ("view", "add", "change"):
    rules.add_perm(f"orgs.{_action}_tenant", is_platform_admin)
