"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.

Log in, log out and the home page are not namespaced (settings.LOGIN_URL = "login", LOGIN_REDIRECT_URL =
"home"): config/urls.py includes ``account_urlpatterns`` at the root.
"""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("platform/tenants/<int:tenant_id>/accounts/new/", views.account_invite, name="account_invite"),
]

account_urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("activate/<uidb64>/<token>/", views.activate_view, name="account_activate"),
]
