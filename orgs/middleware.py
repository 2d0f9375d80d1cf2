"""Opens the tenant scope for each request and hides the URLs of modules a tenant has switched off."""

from django.http import Http404
from django_scopes import scope

from orgs.modules import module_for_namespace


class TenantMiddleware:
    """After authentication: ``request.tenant`` is the user's school and every query runs in its scope.

    Anonymous users and platform admins get no scope: a tenant-owned query then raises ScopeError, so a page
    that forgot its access check fails loudly instead of showing another school's rows.
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
            raise Http404()
        return None
