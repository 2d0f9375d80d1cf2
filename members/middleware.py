"""Sessions end after the school's idle time (policy ``members.session_idle_hours``, default 8 hours)."""

import time

from django.utils import timezone

from members.policies import SESSION_IDLE_HOURS
from orgs.calendar import local_date
from orgs.selectors import policy_value
from orgs.tenancy import tenant_scope

#: The session's expiry is pushed forward at most this often: one session write (and one policy read) per
#: user per minute, not one per request. The idle time is therefore exact to within a minute.
TOUCH_SECONDS = 60
_SEEN = "_idle_seen"

def idle_seconds(tenant) -> int:
    if tenant is None:  # the platform admin: the default
        return SESSION_IDLE_HOURS.default * 3600
    with tenant_scope(tenant):  # also from the login signal, before the request's scope is open
        hours = policy_value(tenant=tenant, key=SESSION_IDLE_HOURS.key, on=local_date(timezone.now()))
    return int(hours) * 3600

def _touch(session, tenant, now: float) -> None:
    session.set_expiry(idle_seconds(tenant))
    session[_SEEN] = now


def session_start(sender, request, user, **kwargs):
    """``user_logged_in``: a new session gets the school's idle time at once (so the first request after the
    login does not have to write the session again)."""
    if getattr(request, "session", None) is not None:
        _touch(request.session, user.tenant if user.tenant_id else None, time.time())


class IdleSessionMiddleware:
    """After orgs.middleware.TenantMiddleware. A logged-in user's session expires ``idle_seconds`` after their
    last request (``session.set_expiry``: the database row's expiry and the cookie's max-age move together),
    instead of Django's fixed two weeks; ``settings.SESSION_COOKIE_AGE`` (8 hours) covers the login itself.
    An anonymous request is left alone, so it creates no session row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            seen = session.get(_SEEN)
            if not isinstance(seen, (int, float)) or not 0 <= now - seen < TOUCH_SECONDS:
                _touch(session, getattr(request, "tenant", None), now)
        return self.get_response(request)
