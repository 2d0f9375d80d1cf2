"""Sessions end after the school's idle time (policy ``members.session_idle_hours``, default 8 hours)."""

import time

from django.utils import timezone

from members.policies import SESSION_IDLE_HOURS
from orgs.calendar import local_date
from orgs.selectors import policy_value

#: The session's expiry is pushed forward at most this often: one session write (and one policy read) per
#: user per minute, not one per request. The idle time is therefore exact to within a minute.
TOUCH_SECONDS = 60
_SEEN = "_idle_seen"

def idle_seconds(tenant) -> int:
    if tenant is None:  # the platform admin: the default
        return SESSION_IDLE_HOURS.default * 3600
    return int(policy_value(tenant=tenant, key=SESSION_IDLE_HOURS.key, on=local_date(timezone.now()))) * 3600

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
                session.set_expiry(idle_seconds(getattr(request, "tenant", None)))
                session[_SEEN] = now
        return self.get_response(request)
