"""The header's notification badge: the unread count of a logged-in person of a school, read lazily (a page that
never shows the header asks nothing) and at most once per request (``selectors.unread_count`` caches it on the
user). Anonymous visitors and the platform admin get no badge."""

from functools import partial

from duties import selectors


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "tenant", None) is None:
        return {"notifications_badge": False}
    # A callable: the template calls it when it renders the header, and not before.
    return {"notifications_badge": True, "unread_notifications": partial(selectors.unread_count, user)}
