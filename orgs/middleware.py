"""Opens the tenant scope for each request and hides the URLs of modules a tenant has switched off."""

from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django_scopes import scope

from orgs.modules import module_for_namespace
from orgs.pages import id_of
from orgs.services import platform_access_record


class TenantMiddleware:
    """After authentication: ``request.tenant`` is the user's school and every query runs in its scope.

    Anonymous users and platform admins get no scope: a tenant-owned query then raises ScopeError, so a page
    that forgot its access check fails loudly instead of showing another school's rows. A user of a
    deactivated school is anonymous before reaching here (the login backend's ``get_user`` refuses them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        tenant = None
        if user.is_authenticated and user.tenant_id is not None:
            tenant = user.tenant
            if not tenant.is_active:
                tenant = None
        request.tenant = tenant
        if tenant is None:
            return self.get_response(request)
        with scope(tenant=tenant.pk):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        module = module_for_namespace(request.resolver_match.namespace)
        if module is not None and (request.tenant is None or not request.tenant.has_module(module)):
            if not request.user.is_authenticated and getattr(view_func, "anonymous_to_login", False):
                return None  # a link opened before logging in (a scanned QR code): the view sends it to log in
            raise Http404()
        return None


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language with the switcher (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office computer with an
    English browser would get English pages; the product is Chinese first (SPEC), English on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class PlatformAccessLogMiddleware:
    """Logs each page of one school that the platform admin opens (``orgs.models.PlatformAccess``): the
    platform pages that take a ``tenant_id`` and the Django admin's pages of one school. Who, when, which
    page (URL name) and method; never the query string or what the page showed. Only pages that answered
    are logged (``_shown``), so a mistyped id or a redirect to a login page writes nothing."""

    ADMIN_TENANT_PAGES = ("orgs_tenant_change", "orgs_tenant_history", "orgs_tenant_delete")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant_id = getattr(request, "_platform_access_tenant_id", None)
        if tenant_id is not None and self._shown(request, response):
            match = request.resolver_match
            platform_access_record(tenant_id=tenant_id, user=request.user, page=match.view_name,
                                   method=request.method, now=timezone.now())
        return response

    @staticmethod
    def _shown(request, response) -> bool:
        """The page answered: a 2xx, or a redirect after a POST that was not a redirect to a login page."""
        status = response.status_code
        if status < 300:
            return True
        location = response.get("Location", "")
        return request.method == "POST" and status < 400 and "/login/" not in location

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_platform_admin):
            return None
        raw = view_kwargs.get("tenant_id")
        if raw is None and request.resolver_match.url_name in self.ADMIN_TENANT_PAGES:
            raw = view_kwargs.get("object_id")
        tenant_id = id_of(raw)  # ASCII digits within 64 bits ("²".isdigit() is true, and int("²") fails)
        if tenant_id is not None:
            request._platform_access_tenant_id = tenant_id
        return None
