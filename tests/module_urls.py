"""The project's URLs plus test-only probes: a page of the dormlink module, and a page listing what the
request's tenant scope lets a query see. Used with ``override_settings(ROOT_URLCONF="tests.module_urls")``."""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from orgs.models import College


def probe(request):
    return HttpResponse("dormlink probe")


def colleges_in_scope(request):
    tenant = getattr(request, "tenant", None)
    return JsonResponse(
        {"tenant": tenant.pk if tenant else None, "colleges": sorted(College.objects.values_list("pk", flat=True))}
    )


urlpatterns = [
    *project_urlpatterns,
    path("dormlink-probe/", include(([path("", probe, name="probe")], "dormlink"))),
    path("tenancy-probe/", colleges_in_scope, name="tenancy_probe"),
]
