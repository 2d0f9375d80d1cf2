"""Award pages (SC-12, SC-13): an organisation's term, department by department (the presidium counts as one),
officers and cadres apart: the quota and how it was computed, the computed list with every score linked to the
member's explained ledger, ties marked, the members excluded with their reasons, and the proposal's state. The
department head proposes (the president for the presidium), the office confirms; the lists print as PDF and
Excel.

Who sees an organisation's lists is who sees its scores (``scoring.selectors.scored_organisations``): office,
presidium and the school's admin all of it, a department head their department only; an organisation,
department or term the user may not see is a 404, like another school's; an officer gets 403. Proposing or
confirming what one may see but not change is a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.exports import XLSX_TYPE
from orgs.calendar import local_date
from orgs.models import Term
from orgs.pages import attachment, id_of, ids_of
from orgs.tenancy import get_object_or_404
from orgs.web import error_text, requires
from scoring import exports, selectors, services
from scoring.access import (
    chosen_term,
    department_within,
    organisation_and_term,
    organisation_or_choice,
    school_terms,
    visible_organisation,
)
from scoring.models import AwardCategory, AwardStatus

FORMATS = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def _board_url(organisation, term, anchor: str = "") -> str:
    url = reverse("scoring:award_board", kwargs={"organisation_id": organisation.pk, "term_id": term.pk})
    return f"{url}#awards-{anchor}" if anchor else url


@requires("scoring.view_awards")
def award_home(request):
    """The menu's entry: the one organisation's lists, or a choice of organisations."""
    return organisation_or_choice(request, url_name="scoring:award_organisation",
                                  template="scoring/awards_organisations.html")


@requires("scoring.view_awards")
def award_organisation(request, organisation_id):
    """The organisation's lists of the running term (or of ``?term=``)."""
    organisation, _departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    if term is None:
        return render(request, "scoring/awards.html", {"organisation": organisation, "board": None})
    return redirect(_board_url(organisation, term))


@requires("scoring.view_awards")
def award_board(request, organisation_id, term_id):
    organisation, term, departments = organisation_and_term(request, organisation_id, term_id)
    chosen = request.GET.get("term", "")
    if id_of(chosen) is not None and id_of(chosen) != term.pk:  # the term picker
        return redirect(_board_url(organisation, get_object_or_404(Term, pk=id_of(chosen))))
    board = selectors.award_board(organisation=organisation, term=term, departments=departments,
                                        viewer=request.user)
    by_department: dict = {}  # each department's lists side by side, with whether the user may propose them now
    for group in board.groups:
        by_department.setdefault(group.department, []).append((group, bool(group.computed) and group.status !=
                                                             AwardStatus.CONFIRMED and request.user.has_perm(
                                                                 "scoring.propose_award", group.department)))
    return render(request, "scoring/awards.html", {
        "organisation": organisation, "term": term, "board": board, "departments": list(by_department.items()),
        "terms": school_terms(request),
        "limited": departments is not None, "running": local_date(timezone.now()) <= term.end,
        "can_confirm": request.user.has_perm("scoring.confirm_award", organisation),
        "downloads": [(label, reverse("scoring:award_download", kwargs={
            "organisation_id": organisation.pk, "term_id": term.pk, "fmt": fmt}))
            for fmt, label in (("xlsx", _("下载 Excel")), ("pdf", _("下载 PDF")))],
    })


@require_POST
@requires("scoring.view_awards")
def award_propose(request, organisation_id, term_id, department_id):
    """The head proposes the ticked members of the department's computed list of ``category``."""
    organisation, term, departments = organisation_and_term(request, organisation_id, term_id)
    department = department_within(organisation, departments, department_id)
    if not request.user.has_perm("scoring.propose_award", department):
        raise PermissionDenied
    category = request.POST.get("category", "")
    people = ids_of(request.POST.getlist("person"))
    try:
        proposed = services.award_propose(organisation=organisation, term=term, department=department,
                                        category=category, user=request.user, now=timezone.now(), people=people)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已推荐%(department)s的%(category)s %(n)s 人，等待办公室确认。") % {
            "department": department.name, "category": AwardCategory(category).label, "n": len(proposed)})
    return redirect(_board_url(organisation, term, f"{department.pk}-{category}"))


@require_POST
@requires("scoring.view_awards")
def award_confirm(request, organisation_id, term_id, department_id):
    """The office confirms the department's proposed list of ``category``."""
    organisation, term, departments = organisation_and_term(request, organisation_id, term_id)
    department = department_within(organisation, departments, department_id)
    if not request.user.has_perm("scoring.confirm_award", organisation):
        raise PermissionDenied
    category = request.POST.get("category", "")
    try:
        services.award_confirm(organisation=organisation, term=term, department=department, category=category,
                             user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已确认%(department)s的%(category)s名单。") % {
            "department": department.name, "category": AwardCategory(category).label})
    return redirect(_board_url(organisation, term, f"{department.pk}-{category}"))


@requires("scoring.view_awards")
def award_download(request, organisation_id, term_id, fmt):
    """The proposed and confirmed lists the user may see, as Excel or an A4 PDF; another format is a 404."""
    if fmt not in FORMATS:
        raise Http404
    organisation, term, departments = organisation_and_term(request, organisation_id, term_id)
    board = selectors.award_board(organisation=organisation, term=term, departments=departments,
                                        viewer=request.user)
    content = exports.awards_xlsx(board) if fmt == "xlsx" else exports.awards_pdf(board)
    filename = f"{exports.awards_title(board)}.{fmt}".replace(" ", "-")
    return attachment(content, FORMATS[fmt], filename, f"awards-{organisation.pk}-{term.pk}.{fmt}")
