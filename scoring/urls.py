"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The namespace belongs to the "alliance" module (orgs/modules.py)."""

from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.my_score, name="my_score"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:organisation_id>/", views.organisation_scores, name="organisation_scores"),
    path("organisations/<int:organisation_id>/people/<int:person_id>/", views.person_score, name="person_score"),
]
