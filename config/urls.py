from django.contrib import admin
from django.urls import include, path

from config import health
from members.urls import account_urlpatterns

urlpatterns = [
    path("", include(account_urlpatterns)),
    path("", include("orgs.urls")),
    path("", include("members.urls")),
    path("duties/", include("duties.urls")),
    path("attendance/", include("attendance.urls")),
    path("scoring/", include("scoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
