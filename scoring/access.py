"""Fetch-for-user helpers of scoring (healthchecks' ``hc/front/views.py`` style), the one place its pages get an
object for a user: the organisation a user may open, its departments, terms, sanctions, discretionary entries
and incidents — a missing, a foreign (another school's, under the tenant scope) and an invisible id are the same
404; a visible object the user may not act on is a 403. Also the term a page shows, and the menu entries that
open the one organisation directly or offer a choice."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from orgs.calendar import local_date
from orgs.models import Department, Term
from orgs.pages import id_of
from orgs.tenancy import get_object_or_404
from scoring import selectors
from scoring.models import Sanction


def visible_organisation(request, organisation_id):
    """(the organisation, the department ids a department head is limited to, or None for all of it)."""
    organisations, limits = selectors.scored_organisations(request.user)
    organisation = get_object_or_404(organisations, pk=organisation_id)
    return organisation, limits.get(organisation.pk)


def chosen_term(request) -> Term | None:
    """The term of ``?term=``, else the running one (else the latest begun); an unknown ``?term=`` is a 404."""
    term_id = request.GET.get("term")
    term = selectors.term_choice(tenant=request.tenant, term_id=id_of(term_id), today=local_date(timezone.now()))
    if term is None and term_id:
        raise Http404
    return term


def school_terms(request):
    """The school's terms, newest first: the term picker's choices."""
    return Term.objects.filter(tenant=request.tenant).order_by("-start")


def organisation_or_choice(request, *, url_name: str, template: str):
    """A menu entry: straight to the page of the user's one organisation, or a choice when there are several."""
    organisations = list(selectors.scored_organisations(request.user)[0])
    if len(organisations) == 1:
        return redirect(url_name, organisation_id=organisations[0].pk)
    return render(request, template, {"organisations": organisations})


def organisation_and_term(request, organisation_id, term_id):
    """(the organisation, a term of the school, the departments the user is limited to or None)."""
    organisation, departments = visible_organisation(request, organisation_id)
    return organisation, get_object_or_404(Term, pk=term_id), departments


def department_within(organisation, departments: set[int] | None, department_id) -> Department:
    """A department of ``organisation`` among ``departments`` (a department head's own; None: any)."""
    visible = Department.objects.filter(organisation=organisation)
    if departments is not None:
        visible = visible.filter(pk__in=departments)
    return get_object_or_404(visible, pk=department_id)


def organisation_for_rulebook_editor(request, organisation_id):
    """The organisation if the user sees it (else 404) and may edit its rulebook (else 403)."""
    organisation = visible_organisation(request, organisation_id)[0]
    if not request.user.has_perm("scoring.edit_rulebook", organisation):
        raise PermissionDenied
    return organisation


def sanction_for_actor(request, organisation_id, sanction_id):
    """(the organisation, its sanction) if the user sees them (else 404) and acts on the organisation's sanctions
    — its office or its president — (else 403). Which act the sanction's state allows is the services' check."""
    organisation, _departments = visible_organisation(request, organisation_id)
    sanction = get_object_or_404(Sanction.objects.filter(organisation=organisation), pk=sanction_id)
    if not request.user.has_perm("scoring.act_on_sanctions", organisation):
        raise PermissionDenied
    return organisation, sanction


def _within_or_404(request, row, term) -> None:
    """A department head sees the rows of their own department (or its members) only."""
    departments = selectors.entries_scope(request.user, row.organisation)
    start, end = (term.start, term.end) if term else (row.on, row.on)
    if not selectors.row_within(row, departments=departments, start=start, end=end):
        raise Http404


def incident_for_user(request, incident_id):
    incident = get_object_or_404(selectors.incidents_visible_to(request.user), pk=incident_id)
    term = selectors.term_choice(tenant=request.tenant, today=incident.on)
    _within_or_404(request, incident, term if term and term.start <= incident.on <= term.end else None)
    return incident


def discretionary_entry_for_user(request, discretionaryentry_id):
    entry = get_object_or_404(selectors.discretionary_visible_to(request.user), pk=discretionaryentry_id)
    _within_or_404(request, entry, entry.term)
    return entry
