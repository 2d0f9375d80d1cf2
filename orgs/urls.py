"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name."""

from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("colleges/", views.college_list, name="college_list"),
    path("colleges/<int:college_id>/", views.college_detail, name="college_detail"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:schoolclass_id>/", views.class_detail, name="class_detail"),
    path("buildings/", views.building_list, name="building_list"),
    path("buildings/<int:building_id>/", views.building_detail, name="building_detail"),
    path("rooms/<int:room_id>/", views.room_detail, name="room_detail"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
    path("settings/policies/", views.policy_list, name="policy_list"),
    path("settings/policies/<str:key>/", views.policy_change, name="policy_change"),
    path("platform/tenants/", views.tenant_list, name="tenant_list"),
    path("platform/tenants/new/", views.tenant_create, name="tenant_create"),
    path("platform/tenants/<int:tenant_id>/", views.tenant_edit, name="tenant_edit"),
]
