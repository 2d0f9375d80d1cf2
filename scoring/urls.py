"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The namespace belongs to the "alliance" module (declared in attendance/registration.py)."""

from django.urls import path

from scoring.views import awards, entries, rulebooks, sanctions, scores

app_name = "scoring"
urlpatterns = [
    path("", scores.my_score, name="my_score"),
    path("organisations/", scores.organisation_list, name="organisation_list"),
    path("organisations/<int:organisation_id>/", scores.organisation_scores, name="organisation_scores"),
    path("organisations/<int:organisation_id>/people/<int:person_id>/", scores.person_score, name="person_score"),
    path("organisations/<int:organisation_id>/sanctions/", sanctions.sanction_list, name="sanction_list"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/submit/", sanctions.sanction_submit,
         name="sanction_submit"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/decide/", sanctions.sanction_decide,
         name="sanction_decide"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/file/", sanctions.sanction_file,
         name="sanction_file"),
    path("organisations/<int:organisation_id>/sanctions/<int:sanction_id>/revoke/", sanctions.sanction_revoke,
         name="sanction_revoke"),
    # --- eligibility and awards (SC-12, SC-13): scoring/views/awards.py ---
    path("awards/", awards.award_home, name="award_home"),
    path("awards/<int:organisation_id>/", awards.award_organisation, name="award_organisation"),
    path("awards/<int:organisation_id>/<int:term_id>/", awards.award_board, name="award_board"),
    path("awards/<int:organisation_id>/<int:term_id>/<int:department_id>/propose/", awards.award_propose,
         name="award_propose"),
    path("awards/<int:organisation_id>/<int:term_id>/<int:department_id>/confirm/", awards.award_confirm,
         name="award_confirm"),
    path("awards/<int:organisation_id>/<int:term_id>/download.<str:fmt>", awards.award_download,
         name="award_download"),
    # --- discretionary entries (SC-9) and incidents (SC-11, SC-14): scoring/views/entries.py ---
    path("entries/", entries.entries_home, name="entries_home"),
    path("entries/organisations/<int:organisation_id>/discretionary/", entries.discretionary_list,
         name="discretionary_list"),
    path("entries/organisations/<int:organisation_id>/approvals/", entries.discretionary_approvals,
         name="discretionary_approvals"),
    path("entries/discretionary/<int:discretionaryentry_id>/decide/", entries.discretionary_decide,
         name="discretionary_decide"),
    path("entries/discretionary/<int:discretionaryentry_id>/remove/", entries.discretionary_remove,
         name="discretionary_remove"),
    path("entries/discretionary/<int:discretionaryentry_id>/revoke/", entries.discretionary_revoke,
         name="discretionary_revoke"),
    path("entries/organisations/<int:organisation_id>/incidents/", entries.incident_list, name="incident_list"),
    path("entries/incidents/<int:incident_id>/remove/", entries.incident_remove, name="incident_remove"),
    # --- the rulebook, its versions and re-scoring an open term (issue 5 item 1): scoring/views/rulebooks.py ---
    path("rulebooks/", rulebooks.rulebook_list, name="rulebook_list"),
    path("rulebooks/<int:organisation_id>/", rulebooks.rulebook, name="rulebook"),
    path("rulebooks/<int:organisation_id>/start/", rulebooks.rulebook_start, name="rulebook_start"),
    path("rulebooks/<int:organisation_id>/edit/", rulebooks.rulebook_edit, name="rulebook_edit"),
    path("rulebooks/<int:organisation_id>/versions/<int:rulebook_id>/", rulebooks.rulebook_version,
         name="rulebook_version"),
    path("rulebooks/<int:organisation_id>/terms/<int:term_id>/rescore/", rulebooks.term_rescore,
         name="term_rescore"),
]
