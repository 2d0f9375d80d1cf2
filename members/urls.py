"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
``kind`` and ``fmt`` of the import templates and exports are a kind of import and a file format, not objects
(listed in that test's NOT_OBJECT_URLS).

Log in, log out and the home page are not namespaced (settings.LOGIN_URL = "login", LOGIN_REDIRECT_URL =
"home"): config/urls.py includes ``account_urlpatterns`` at the root.
"""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/unlock-login/", views.person_unlock_login, name="person_unlock_login"),
    path("platform/tenants/<int:tenant_id>/accounts/new/", views.account_invite, name="account_invite"),
    path("imports/", views.import_home, name="import_home"),
    path("imports/template/<slug:kind>.<slug:fmt>", views.import_template, name="import_template"),
    path("imports/export/<slug:kind>.<slug:fmt>", views.import_export, name="import_export"),
    path("imports/<int:importjob_id>/", views.import_job, name="import_job"),
    path("imports/<int:importjob_id>/status/", views.import_job_status, name="import_job_status"),
    path("imports/<int:importjob_id>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:importjob_id>/retry/", views.import_retry, name="import_retry"),
]

account_urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("activate/<uidb64>/<token>/", views.activate_view, name="account_activate"),
]
