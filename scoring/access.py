"""Access helpers every scoring page uses (healthchecks' ``hc/front/views.py`` style): the organisation a user may
open — a missing, a foreign and an invisible id are the same 404 — the term a page shows, and the menu entries
that open the one organisation directly or offer a choice."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from orgs.calendar import local_date
from orgs.models import Term
from orgs.pages import id_of
from orgs.tenancy import get_object_or_404
from scoring import selectors


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
