"""Log in with a username or a student/staff number (OR-4)."""

from django.contrib.auth.backends import ModelBackend
from django_scopes import scopes_disabled

from members.models import User


class UsernameOrNumberBackend(ModelBackend):
    """Tries the username first; otherwise the student/staff number, within the chosen school.

    Student numbers are unique only inside a school: without a school, a number that exists in more than
    one school matches nobody (the login form then asks for the school).
    """

    def authenticate(self, request, username=None, password=None, tenant=None, **kwargs):
        if not username or not password:
            return None
        user = self._by_username(username) or self._by_number(username, tenant)
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _by_username(self, username):
        return User.objects.filter(username=username).select_related("tenant").first()

    def _by_number(self, number, tenant):
        with scopes_disabled():
            users = User.objects.filter(person__number=number, tenant__is_active=True)
            if tenant is not None:
                users = users.filter(tenant=tenant)
            found = list(users[:2])
        return found[0] if len(found) == 1 else None

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        return user.tenant_id is None or user.tenant.is_active
