"""Log in with a username or a student/staff number (OR-4), and the account key of login throttling.

Login throttling is django-axes (``axes.backends.AxesStandaloneBackend`` runs first, see settings): it counts
failures per *account* and per *address*. The account is the one the login would reach, keyed by its
username (``login_account_key``), so typing the number or the username of one account counts against the
same account, and a student number that exists in two schools is two accounts when the school is chosen.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django_scopes import scopes_disabled

from members.models import User
from orgs.models import Tenant
from orgs.pages import id_of


def resolve_login(login: str, tenant=None) -> User | None:
    """The account a login name reaches. With a school chosen, the school comes first: a student/staff
    number of that school beats a username (of any school) that happens to spell the same digits; without
    a school, the username first, then a number that exists in exactly one active school."""
    if not login:
        return None
    if tenant is not None:
        return _by_number(login, tenant) or _by_username(login)
    return _by_username(login) or _by_number(login, None)


def _by_username(username):
    return User.objects.filter(username=username).select_related("tenant").first()


def _by_number(number, tenant):
    with scopes_disabled():
        users = User.objects.filter(person__number=number, tenant__is_active=True).select_related("tenant")
        if tenant is not None:
            users = users.filter(tenant=tenant)
        found = list(users[:2])
    return found[0] if len(found) == 1 else None


class UsernameOrNumberBackend(ModelBackend):
    """Resolves the account with ``resolve_login``, then checks the password.

    Student numbers are unique only inside a school: without a school, a number that exists in more than
    one school matches nobody (the login form then asks for the school).
    """

    def authenticate(self, request, username=None, password=None, tenant=None, **kwargs):
        if not username or not password:
            return None
        user = resolve_login(username, tenant)
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their school in the same query: every request reads both (the tenant
        middleware, ``user_can_authenticate``)."""
        user = User._default_manager.select_related("tenant").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        return user.tenant_id is None or user.tenant.is_active

    # Permissions are the apps' rules.py (rules' ObjectPermissionBackend); no user or group is given a database
    # permission, so reading them (two queries whenever a page asked for a permission the rules refuse) found
    # nothing. The platform's superusers keep every permission (ModelBackend.get_all_permissions).

    def get_user_permissions(self, user_obj, obj=None):
        return super().get_user_permissions(user_obj, obj) if user_obj.is_superuser else set()

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if user_obj.is_superuser else set()


# --- login throttling (django-axes) ---


def _tenant_of(request, credentials):
    tenant = (credentials or {}).get("tenant")
    if tenant is not None and not isinstance(tenant, (str, int)):
        return tenant
    raw = tenant if tenant is not None else getattr(request, "POST", {}).get("tenant")
    if id_of(raw) is None:  # not ASCII digits ("²".isdigit() is true, int("²") fails) or beyond 2^63
        return None
    return Tenant.objects.filter(pk=id_of(raw), is_active=True).first()


def login_account_key(request, credentials) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username of the account this attempt reaches, else what was typed.

    So the unlock path is one username (``axes.utils.reset(username=user.username)``, the person page's
    button, ``manage.py axes_reset_username``), whether the attacker typed the number or the username."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    if not typed:
        return None
    typed = str(typed)[:150]
    tenant = _tenant_of(request, credentials)
    # axes asks several times per attempt: resolve once per request
    memo = getattr(request, "_login_account_keys", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._login_account_keys = memo
    key = (typed, getattr(tenant, "pk", None))
    if key not in memo:
        user = resolve_login(typed, tenant)
        memo[key] = user.username if user is not None else typed
    return memo[key]


class LoginThrottleHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes's database handler, except that the account locks after ``AXES_FAILURE_LIMIT``
    failures and the address only after ``LOGIN_ADDRESS_FAILURE_LIMIT`` (a campus network puts thousands of
    students behind a few addresses; one limit for both would let anyone lock a whole campus out with ten
    wrong passwords).

    axes compares the largest failure count of its parameter groups with one limit; the address group's
    count is scaled so that it reaches that limit at its own, higher limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = max(settings.LOGIN_ADDRESS_FAILURE_LIMIT, account_limit)
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        account, address = (counts + [0, 0])[:2]
        return max(account, math.floor(address * account_limit / address_limit))


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the address the
    outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return request.META.get("REMOTE_ADDR")
