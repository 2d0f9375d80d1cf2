"""Pages of what the office enters by hand: discretionary entries (酌情加减分, SC-9) with the president's approval
queue, and incidents (违纪事项, SC-11, SC-14).

Who sees them is who sees the organisation's scores: an organisation the user may not see (another
organisation's office, another school) is missing (404); a department head sees only what concerns their
department, and any other row is missing to them too. The office of the organisation enters and removes (anyone
else who may see the page gets 403 for that); approving is the president's, and the service refuses anyone else
with its message. Every write is one service call whose Chinese ValidationError comes back on the form or as a
message.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs.calendar import local_date
from orgs.pages import paginate
from orgs.web import error_text, form_error_text, requires
from scoring import selectors, services
from scoring.access import (
    chosen_term,
    discretionary_entry_for_user,
    incident_for_user,
    school_terms,
    visible_organisation,
)
from scoring.forms.entries import DecideForm, DiscretionaryForm, IncidentForm, RevokeForm
from scoring.models import ApprovalStatus, Approver

# --- access helpers: a missing, a foreign and an invisible id are the same 404 ---


def _today():
    return local_date(timezone.now())


def _term_on(request, day: dt.date):
    return selectors.term_choice(tenant=request.tenant, today=day) if day else None


def _back(name, organisation, term=None):
    url = reverse(f"scoring:{name}", kwargs={"organisation_id": organisation.pk})
    return redirect(f"{url}?term={term.pk}" if term else url)


def _default_on(term):
    today = _today()
    return min(today, term.end) if term else today


# --- the entry page of the menu ---


@requires("scoring.view_scores")
def entries_home(request):
    """The organisations whose entries the user sees; with one, straight to it (its president to the queue)."""
    organisations = list(selectors.scored_organisations(request.user)[0])
    if len(organisations) == 1:
        organisation = organisations[0]
        if request.user.has_perm("scoring.decide_discretionary", organisation):
            return redirect("scoring:discretionary_approvals", organisation_id=organisation.pk)
        return redirect("scoring:discretionary_list", organisation_id=organisation.pk)
    return render(request, "scoring/entries_home.html", {"organisations": organisations})


def _nav(request, organisation, departments, term, current):
    """What the tabs above the three pages need."""
    return {
        "organisation": organisation, "term": term, "terms": school_terms(request), "current": current,
        "limited": departments is not None,
        "pending_count": selectors.discretionary_pending(organisation=organisation, term=term,
                                                               departments=departments).count(),
    }


# --- discretionary entries (SC-9) ---


@requires("scoring.view_scores")
@require_http_methods(["GET", "POST"])
def discretionary_list(request, organisation_id):
    """The term's entries (filter by status) and, for the office, the entry form with each rule's range and
    clause. A constant number of queries."""
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    recorder = request.user.has_perm("scoring.record_entries", organisation)
    if request.method == "POST" and not recorder:
        raise PermissionDenied
    rules = selectors.discretionary_rules(organisation=organisation, term=term) if term else []
    form = None
    if recorder and term is not None:
        form = DiscretionaryForm(request.POST if request.method == "POST" else None, organisation=organisation,
                                 members=selectors.term_members(organisation=organisation, term=term),
                                 rules=rules, initial={"on": _default_on(term)})
        if form.is_bound and form.is_valid():
            try:
                entry = services.discretionary_enter(organisation=organisation, user=request.user, now=timezone.now(),
                                                    **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if entry.approval:
                    messages.success(request, _("已录入加分，待总部长审批后计入积分。"))
                else:
                    messages.success(request, _("已录入扣分，已计入积分。"))
                return _back("discretionary_list", organisation, entry.term)
    elif request.method == "POST":  # no term: nothing to enter into
        raise Http404
    status = request.GET.get("status")
    status = status if status in selectors.STATUS_FILTERS else ""
    page = paginate(request, selectors.discretionary_list(
        organisation=organisation, term=term, departments=departments, status=status)) if term else None
    approver = selectors.term_approver(organisation=organisation, term=term) if term else ""
    return render(request, "scoring/discretionary.html", {
        **_nav(request, organisation, departments, term, "discretionary"),
        "form": form, "rules": rules, "page": page, "status": status, "recorder": recorder,
        "revoker": request.user.has_perm("scoring.revoke_discretionary", organisation),
        "by_presidium": approver == Approver.PRESIDIUM,
        "statuses": [("", _("全部")), ("pending", _("待审批")), ("approved", _("已批准")),
                     ("refused", _("未批准")), ("revoked", _("已撤销")), ("deduction", _("扣分"))],
    })


@requires("scoring.view_scores")
def discretionary_approvals(request, organisation_id):
    """Positive entries waiting for the president, oldest first, of every term; the president approves or
    refuses each with an optional note; the others see the queue read-only."""
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    pending = list(selectors.discretionary_pending(organisation=organisation, term=term,
                                                         departments=departments))
    approvers = selectors.term_approvers(organisation=organisation, term_ids={e.term_id for e in pending})
    presidium = selectors.presidium(organisation=organisation, now=timezone.now())
    rows = [_Waiting(entry, approvers[entry.term_id] == Approver.PRESIDIUM, presidium, request.user)
            for entry in pending]
    return render(request, "scoring/discretionary_approvals.html", {
        **_nav(request, organisation, departments, term, "approvals"),
        "rows": rows, "decider": request.user.has_perm("scoring.decide_discretionary", organisation),
        "any_by_presidium": any(row.by_presidium for row in rows), "presidium": presidium,
    })


class _Waiting:
    """A pending entry as the queue shows it: for one the whole presidium approves, who has agreed, who not
    yet, and whether the viewer has had their say."""

    def __init__(self, entry, by_presidium: bool, presidium: list, user):
        self.entry, self.by_presidium = entry, by_presidium
        votes = list(entry.votes.all())
        agreed = {vote.user_id for vote in votes if vote.agree}
        self.votes = votes
        self.waiting_for = [member for member in presidium if member.pk not in agreed] if by_presidium else []
        self.agreed = sum(1 for member in presidium if member.pk in agreed)
        self.members = len(presidium)
        self.mine = next((vote for vote in votes if vote.user_id == user.pk), None)


@login_required
@require_POST
def discretionary_decide(request, discretionaryentry_id):
    entry = discretionary_entry_for_user(request, discretionaryentry_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            decided = services.discretionary_decide(entry=entry, approve=form.cleaned_data["decision"] == "approve",
                                                   note=form.cleaned_data["note"], user=request.user,
                                                   now=timezone.now())
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if decided.approval == ApprovalStatus.PENDING:  # the presidium's: others have yet to agree
                said = _("已同意：%(name)s %(points)s 分，待主席团其他成员同意后计入积分。")
            elif decided.approval == ApprovalStatus.APPROVED:
                said = _("已批准：%(name)s %(points)s 分，已计入积分。")
            else:
                said = _("未批准：%(name)s %(points)s 分，不计入积分。")
            messages.success(request, said % _about(entry))
    return _back("discretionary_approvals", entry.organisation)


def _target_name(row):
    return row.person.name if row.person_id else row.department.name


def _about(entry) -> dict:
    """The values an entry's messages name: whom, how many points, which rule."""
    return {"name": _target_name(entry), "points": services.signed(entry.points), "rule": entry.rule.label}


@login_required
@require_POST
def discretionary_remove(request, discretionaryentry_id):
    entry = discretionary_entry_for_user(request, discretionaryentry_id)
    if not request.user.has_perm("scoring.record_entries", entry.organisation):
        raise PermissionDenied
    try:
        services.discretionary_remove(entry=entry, user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已删除：%(name)s %(points)s 分（%(rule)s）。") % _about(entry))
    return _back("discretionary_list", entry.organisation, entry.term)


@login_required
@require_POST
def discretionary_revoke(request, discretionaryentry_id):
    """The president revokes an approved entry with a reason; it stops counting and stays listed as revoked."""
    entry = discretionary_entry_for_user(request, discretionaryentry_id)
    if not request.user.has_perm("scoring.revoke_discretionary", entry.organisation):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            services.discretionary_revoke(entry=entry, reason=form.cleaned_data["reason"], user=request.user,
                                         now=timezone.now())
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已撤销：%(name)s %(points)s 分（%(rule)s），不再计入积分。") % _about(entry))
    return _back("discretionary_list", entry.organisation, entry.term)


# --- incidents (SC-11, SC-14) ---


@requires("scoring.view_scores")
@require_http_methods(["GET", "POST"])
def incident_list(request, organisation_id):
    """The term's incidents (filter: members or departments) and, for the office, the form to record one. A
    constant number of queries."""
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    recorder = request.user.has_perm("scoring.record_entries", organisation)
    if request.method == "POST" and not recorder:
        raise PermissionDenied
    form = None
    if recorder and term is not None:
        form = IncidentForm(request.POST if request.method == "POST" else None, organisation=organisation,
                            members=selectors.term_members(organisation=organisation, term=term),
                            initial={"on": _default_on(term)})
        if form.is_bound and form.is_valid():
            try:
                incident = services.incident_record(organisation=organisation, user=request.user,
                                                   now=timezone.now(), **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已登记违纪事项：%(name)s · %(kind)s。处分阶梯已重新计算。") % {
                    "name": _target_name(incident), "kind": incident.get_kind_display()})
                return _back("incident_list", organisation, _term_on(request, incident.on))
    elif request.method == "POST":
        raise Http404
    target = request.GET.get("target")
    target = target if target in selectors.TARGET_FILTERS else ""
    page, counts = None, {}
    if term is not None:
        page = paginate(request, selectors.incident_list(organisation=organisation, term=term,
                                                               departments=departments, target=target))
        counts = selectors.incident_counts(organisation=organisation, term=term, departments=departments)
    return render(request, "scoring/incidents.html", {
        **_nav(request, organisation, departments, term, "incidents"),
        "form": form, "page": page, "target": target, "recorder": recorder,
        "targets": [("", _("全部"), counts.get("all", 0)), ("person", _("成员"), counts.get("person", 0)),
                    ("department", _("部门"), counts.get("department", 0))],
    })


@login_required
@require_POST
def incident_remove(request, incident_id):
    incident = incident_for_user(request, incident_id)
    if not request.user.has_perm("scoring.record_entries", incident.organisation):
        raise PermissionDenied
    term = _term_on(request, incident.on)
    services.incident_remove(incident=incident, user=request.user, now=timezone.now())
    messages.success(request, _("已删除违纪事项：%(name)s · %(kind)s。") % {
        "name": _target_name(incident), "kind": incident.get_kind_display()})
    return _back("incident_list", incident.organisation, term)
