"""Score pages (SC-15): a member's own ledger, the organisation's table, and one member's ledger for those who
oversee them. An organisation or a person the user may not see is missing (404), like another school's.
"""


from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from orgs.pages import id_of
from orgs.web import requires
from scoring import selectors
from scoring.access import chosen_term, organisation_or_choice, school_terms, visible_organisation


@requires("scoring.view_own_score")
def my_score(request):
    term = chosen_term(request)
    person = request.user.person
    ledgers = []
    if term is not None:
        for organisation in selectors.own_organisations(person=person, term=term):
            settings = selectors.rulebook_settings(organisation=organisation, term=term)
            total, entries = selectors.member_ledger(person=person, organisation=organisation, term=term,
                                                     settings=settings)
            ladder = _ladder_context(organisation=organisation, term=term, person=person, shown_to_member=True,
                                     viewer=request.user, settings=settings)
            ledgers.append((organisation, total, entries, ladder))
    return render(request, "scoring/my_score.html", {
        "term": term, "terms": school_terms(request), "ledgers": ledgers, "person": person,
        "oversees": request.user.has_perm("scoring.view_scores"),
    })


@requires("scoring.view_scores")
def organisation_list(request):
    return organisation_or_choice(request, url_name="scoring:organisation_scores",
                                  template="scoring/organisation_list.html")


@requires("scoring.view_scores")
def organisation_scores(request, organisation_id):
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    table = None
    if term:
        table = selectors.organisation_table(organisation=organisation, term=term, departments=departments)
    watch = [(row, [selectors.describe_reason(c, n, t) for _lv, c, n, t in row.ladder.near])
             for row in (table.rows if table else []) if row.ladder and row.ladder.near]
    # a member's page is this prefix + their id: reversed once, not once per row (1,000 rows)
    person_url = reverse("scoring:person_score", kwargs={"organisation_id": organisation.pk,
                                                         "person_id": 0}).removesuffix("0/")
    return render(request, "scoring/organisation_scores.html", {
        "organisation": organisation, "term": term, "terms": school_terms(request), "table": table,
        "limited": departments is not None, "watch": watch, "person_url": person_url,
        "rows_html": _score_rows_html(table, person_url) if table else "",
    })


def _score_rows_html(table, person_url: str) -> str:
    """The table's rows, built in one pass: the template engine resolved ~20 variables and six translations per
    row, most of the page's time at 1,000 members (docs/scoring.md, "Speed"). Every text from the database is
    escaped here (``escape``); the labels are translated and escaped once; the rest are numbers."""
    dept, kind, ladder_label, entries, total = (escape(_(t)) for t in ("部门", "类别", "迟到/旷会", "记录", "积分"))
    kinds = {True: escape(_("干部")), False: escape(_("干事"))}
    reached = {level: escape(text) for level, text in selectors.REACHED.items()}
    url, query = escape(person_url), f"/?term={int(table.term.pk)}"
    lines = []
    for n, row in enumerate(table.rows, start=1):
        if row.ladder:
            counts, level = row.ladder.counts, row.ladder.level
            ladder = f'<span class="num">{counts.lates} / {counts.ladder_absences}</span>' + (
                f' <span class="badge level-{level}">{reached[level]}</span>' if level else "")
        else:
            ladder = '<span class="muted">0 / 0</span>'
        lines.append(
            f'<tr><td class="num">{n}</td><td class="title"><a href="{url}{int(row.person.pk)}{query}">'
            f'{escape(row.person.name)}</a> <span class="ident muted">{escape(row.person.number)}</span></td>'
            f'<td data-label="{dept}">{escape(row.department.name) if row.department else "—"}</td>'
            f'<td data-label="{kind}">{kinds[row.cadre]}</td><td data-label="{ladder_label}">{ladder}</td>'
            f'<td data-label="{entries}" class="num">{int(row.entries)}</td>'
            f'<td data-label="{total}" class="num"><strong>{int(row.total)}</strong></td></tr>')
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped or a number


@requires("scoring.view_scores")
def person_score(request, organisation_id, person_id):
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    if term is None:
        raise Http404
    if id_of(person_id) is None:  # beyond the largest row id (the URL's <int> takes any length)
        raise Http404
    settings = selectors.rulebook_settings(organisation=organisation, term=term)  # read once for the page
    row = selectors.organisation_row(organisation=organisation, term=term, person_id=person_id,
                                     departments=departments, settings=settings)
    if row is None:  # not a member of the organisation that term, or outside the head's department
        raise Http404
    person = row.person
    total, entries = selectors.member_ledger(person=person, organisation=organisation, term=term,
                                             settings=settings)
    return render(request, "scoring/person_score.html", {
        "organisation": organisation, "term": term, "person": person, "row": row, "total": total,
        "updating": selectors.sync_pending(organisation=organisation, term=term),
        "entries": entries, **_ladder_context(organisation=organisation, term=term, person=person,
                                              viewer=request.user, settings=settings),
    })


def _ladder_context(*, organisation, term, person, viewer, settings: dict, shown_to_member=False) -> dict:
    """The member's ladder counts and sanctions (the member sees the decided ones, not the office's proposals),
    and their award eligibility as ``viewer`` may read it (academic standing in detail only to who may see it)."""
    state = selectors.member_ladder(organisation=organisation, term=term, person=person, settings=settings)
    eligible, excluded_for = selectors.member_eligibility(person, organisation, term,
                                                                counts=state.counts if state else None,
                                                                viewer=viewer, settings=settings)
    rows = list(selectors.sanctions(organisation=organisation, term=term, person=person))
    if shown_to_member:
        rows = [s for s in rows if s.status in ("confirmed", "filed", "revoked")]
    for sanction in rows:
        sanction.reasons = [selectors.describe_reason(*r) for r in sanction.basis.get("reasons", [])]
    per = settings["lates_per_absence"]
    return {"ladder": state, "sanctions": rows, "eligible": eligible, "excluded_for": excluded_for,
            "lates_per_absence": per}
