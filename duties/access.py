"""Fetch-for-user helpers of the duty engine: the one place a view gets a notification for a user. Someone else's
notification, another school's (under the tenant scope) and a missing id are the same 404."""

from duties import selectors
from duties.models import Notification
from orgs.tenancy import get_object_or_404


def notification_for_user(user, notification_id) -> Notification:
    """One of ``user``'s own notifications (``selectors.notifications_of``), else 404."""
    return get_object_or_404(selectors.notifications_of(user), pk=notification_id)
