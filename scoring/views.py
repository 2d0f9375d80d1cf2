"""Score pages (SC-15): a member's own ledger, the organisation's table, and one member's ledger for those who
oversee them. An organisation or a person the user may not see is missing (404), like another school's."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from members.models import Person
from orgs.calendar import local_date
from orgs.models import Term
from orgs.tenancy import get_object_or_404
from orgs.views import requires
from scoring import selectors


def _term(request):
    term_id = request.GET.get("term")
    term = selectors.term_choice(tenant=request.tenant, term_id=int(term_id) if (term_id or "").isdigit() else None,
                                 today=local_date(timezone.now()))
    if term is None and term_id:
        raise Http404
    return term


def _visible_organisation(request, organisation_id):
    organisations, limits = selectors.scored_organisations(request.user)
    organisation = get_object_or_404(organisations, pk=organisation_id)
    return organisation, limits.get(organisation.pk)


def _terms(request):
    return Term.objects.filter(tenant=request.tenant).order_by("-start")


@requires("scoring.view_own_score")
def my_score(request):
    term = _term(request)
    person = request.user.person
    ledgers = []
    if term is not None:
        for organisation in selectors.own_organisations(person=person, term=term):
            total, entries = selectors.member_ledger(person=person, organisation=organisation, term=term)
            ledgers.append((organisation, total, entries))
    return render(request, "scoring/my_score.html", {
        "term": term, "terms": _terms(request), "ledgers": ledgers, "person": person,
        "oversees": request.user.has_perm("scoring.view_scores"),
    })


@requires("scoring.view_scores")
def organisation_list(request):
    organisations = list(selectors.scored_organisations(request.user)[0])
    if len(organisations) == 1:
        return redirect("scoring:organisation_scores", organisation_id=organisations[0].pk)
    return render(request, "scoring/organisation_list.html", {"organisations": organisations})


@requires("scoring.view_scores")
def organisation_scores(request, organisation_id):
    organisation, departments = _visible_organisation(request, organisation_id)
    term = _term(request)
    table = selectors.organisation_table(organisation=organisation, term=term, departments=departments) if term \
        else None
    return render(request, "scoring/organisation_scores.html", {
        "organisation": organisation, "term": term, "terms": _terms(request), "table": table,
        "limited": departments is not None,
    })


@requires("scoring.view_scores")
def person_score(request, organisation_id, person_id):
    organisation, departments = _visible_organisation(request, organisation_id)
    term = _term(request)
    if term is None:
        raise Http404
    table = selectors.organisation_table(organisation=organisation, term=term, departments=departments)
    row = next((r for r in table.rows if r.person.pk == person_id), None)
    if row is None:  # not a member of the organisation that term, or outside the head's department
        raise Http404
    person = get_object_or_404(Person, pk=person_id)
    total, entries = selectors.member_ledger(person=person, organisation=organisation, term=term)
    return render(request, "scoring/person_score.html", {
        "organisation": organisation, "term": term, "person": person, "row": row, "total": total,
        "entries": entries,
    })
