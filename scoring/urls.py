"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The namespace belongs to the "alliance" module (orgs/modules.py)."""

from django.urls import path

from scoring import award_views, entry_views, rulebook_views, views

app_name = "scoring"
urlpatterns = [
    path("", views.my_score, name="my_score"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:organisation_id>/", views.organisation_scores, name="organisation_scores"),
    path("organisations/<int:organisation_id>/people/<int:person_id>/", views.person_score, name="person_score"),
    path("organisations/<int:organisation_id>/sanctions/", views.sanction_list, name="sanction_list"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/submit/", views.sanction_submit,
         name="sanction_submit"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/decide/", views.sanction_decide,
         name="sanction_decide"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/file/", views.sanction_file,
         name="sanction_file"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/revoke/", views.sanction_revoke,
         name="sanction_revoke"),
    # --- eligibility and awards (SC-12, SC-13): scoring/award_views.py ---
    path("awards/", award_views.award_home, name="award_home"),
    path("awards/<int:organisation_id>/", award_views.award_organisation, name="award_organisation"),
    path("awards/<int:organisation_id>/<int:term_id>/", award_views.award_board, name="award_board"),
    path("awards/<int:organisation_id>/<int:term_id>/<int:department_id>/propose/", award_views.award_propose,
         name="award_propose"),
    path("awards/<int:organisation_id>/<int:term_id>/<int:department_id>/confirm/", award_views.award_confirm,
         name="award_confirm"),
    path("awards/<int:organisation_id>/<int:term_id>/download.<str:fmt>", award_views.award_download,
         name="award_download"),
    # --- discretionary entries (SC-9) and incidents (SC-11, SC-14): scoring/entry_views.py ---
    path("entries/", entry_views.entries_home, name="entries_home"),
    path("entries/organisations/<int:organisation_id>/discretionary/", entry_views.discretionary_list,
         name="discretionary_list"),
    path("entries/organisations/<int:organisation_id>/approvals/", entry_views.discretionary_approvals,
         name="discretionary_approvals"),
    path("entries/discretionary/<int:discretionaryentry_id>/decide/", entry_views.discretionary_decide,
         name="discretionary_decide"),
    path("entries/discretionary/<int:discretionaryentry_id>/remove/", entry_views.discretionary_remove,
         name="discretionary_remove"),
    path("entries/discretionary/<int:discretionaryentry_id>/revoke/", entry_views.discretionary_revoke,
         name="discretionary_revoke"),
    path("entries/organisations/<int:organisation_id>/incidents/", entry_views.incident_list, name="incident_list"),
    path("entries/incidents/<int:incident_id>/remove/", entry_views.incident_remove, name="incident_remove"),
    # --- the rulebook, its versions and re-scoring an open term (issue 5 item 1): scoring/rulebook_views.py ---
    path("rulebooks/", rulebook_views.rulebook_list, name="rulebook_list"),
    path("rulebooks/<int:organisation_id>/", rulebook_views.rulebook, name="rulebook"),
    path("rulebooks/<int:organisation_id>/start/", rulebook_views.rulebook_start, name="rulebook_start"),
    path("rulebooks/<int:organisation_id>/edit/", rulebook_views.rulebook_edit, name="rulebook_edit"),
    path("rulebooks/<int:organisation_id>/versions/<int:rulebook_id>/", rulebook_views.rulebook_version,
         name="rulebook_version"),
    path("rulebooks/<int:organisation_id>/terms/<int:term_id>/rescore/", rulebook_views.term_rescore,
         name="term_rescore"),
]
