"""The view helpers every app's views share: who may open a view (``requires``, ``platform_admin_only``) and a
service's refusal as one line of text for a message or a JSON answer (``error_text``). One place, so a security
review of the views reads these once."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from rules.contrib.views import permission_required


def requires(perm):
    """Log in first (anonymous: redirect), then ``perm`` (without it: 403)."""

    def decorate(view):
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorate


def platform_admin_only(view):
    """The platform's pages do not exist for anyone else, logged in or not: 404, never 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm("orgs.manage_tenants"):
            raise Http404()
        return view(request, *args, **kwargs)

    return wrapped


def error_text(error: ValidationError) -> str:
    """A service's refusal (its Chinese messages) as one line."""
    return " ".join(error.messages)


def form_error_text(form) -> str:
    """A bound form's errors (its Chinese messages) as one line."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)
