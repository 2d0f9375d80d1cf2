"""Permissions of the duty engine: every person has their own notification centre; the duties page is the
school admin's."""

import rules  # noqa: F401 - the permissions below

from members.rules import is_tenant_admin

# --- the notification centre ---


@rules.predicate
def is_school_user(user):
    """A logged-in person of a school (not the platform admin, who belongs to none)."""
    return user.is_authenticated and user.tenant_id is not None


rules.add_perm("duties.view_notifications", is_school_user)  # each person's own centre (duties/views/notifications.py)


# --- the school's duties page ---

rules.add_perm("duties.view_duty_table", is_tenant_admin)  # the school admin's (duties/views/duties.py)
