"""Fetch-for-user helpers of attendance: the one place a view gets a session for a user. A missing, a foreign
(another school's, under the tenant scope) and an invisible id are the same 404; a visible session the user
may not record is a 403."""

from django.core.exceptions import PermissionDenied

from attendance import selectors
from orgs.tenancy import get_object_or_404


def meeting_for_user(user, meeting_id):
    """The session if ``user`` may see it (``selectors.meetings_visible_to``), else 404."""
    visible = selectors.meetings_visible_to(user).select_related("organisation", "department", "minutes_taker")
    return get_object_or_404(visible, pk=meeting_id)


def meeting_for_recorder(user, meeting_id, perm: str = "attendance.record_meeting"):
    """The session if ``user`` sees it (else 404) and holds ``perm`` on it (else 403)."""
    meeting = meeting_for_user(user, meeting_id)
    if not user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting
