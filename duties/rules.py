"""Permissions of the duty engine: every person has their own notification centre; the duties page is the
school admin's."""

import rules  # noqa: F401 - the permissions below
