"""Sanction pages (SC-11, SC-14): the office reviews and files, the president decides.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.calendar import local_date
from orgs.web import error_text, requires
from scoring import selectors, services
from scoring.access import chosen_term, sanction_for_actor, school_terms, visible_organisation


def _acts(user, organisation) -> set[str]:
    """What the user may do with the organisation's sanctions: review and file (office), decide (president)."""
    return {act for act, permission in (("office", "scoring.review_sanctions"),
                                        ("president", "scoring.decide_sanctions"))
            if user.has_perm(permission, organisation)}


@requires("scoring.view_scores")
def sanction_list(request, organisation_id):
    organisation, departments = visible_organisation(request, organisation_id)
    term = chosen_term(request)
    rows = list(selectors.sanctions(organisation=organisation, term=term, departments=departments)) if term else []
    acts = _acts(request.user, organisation)
    for sanction in rows:
        sanction.reasons = [selectors.describe_reason(*r) for r in sanction.basis.get("reasons", [])]
        # only what the sanction's state and the user's role allow (the services refuse the rest)
        sanction.allowed = sanction.allowed_acts(office="office" in acts, president="president" in acts)
    return render(request, "scoring/sanctions.html", {
        "organisation": organisation, "term": term, "terms": school_terms(request), "sanctions": rows,
        "acts": acts, "today": local_date(timezone.now()),
    })


def _sanction_action(request, organisation_id, sanction_id, act):
    organisation, sanction = sanction_for_actor(request, organisation_id, sanction_id)
    try:
        act(sanction)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已保存。"))
    url = reverse("scoring:sanction_list", kwargs={"organisation_id": organisation.pk})
    return redirect(f"{url}?term={sanction.term_id}")


@requires("scoring.view_scores")
@require_POST
def sanction_submit(request, organisation_id, sanction_id):
    return _sanction_action(request, organisation_id, sanction_id, lambda s: services.sanction_submit(
        sanction=s, user=request.user, now=timezone.now()))


@requires("scoring.view_scores")
@require_POST
def sanction_decide(request, organisation_id, sanction_id):
    decision = request.POST.get("decision")

    def act(sanction):
        if decision not in ("confirm", "dismiss"):
            raise ValidationError(_("请选择确认或驳回。"))
        services.sanction_decide(sanction=sanction, confirm=decision == "confirm",
                                 reason=request.POST.get("reason", ""), user=request.user, now=timezone.now())
    return _sanction_action(request, organisation_id, sanction_id, act)


@requires("scoring.view_scores")
@require_POST
def sanction_file(request, organisation_id, sanction_id):
    def act(sanction):
        try:
            on = dt.date.fromisoformat(request.POST.get("on", ""))
        except ValueError:
            raise ValidationError(_("请填写有效的备案日期。")) from None
        services.sanction_file(sanction=sanction, number=request.POST.get("number", ""), on=on, user=request.user,
                               now=timezone.now())
    return _sanction_action(request, organisation_id, sanction_id, act)


@requires("scoring.view_scores")
@require_POST
def sanction_revoke(request, organisation_id, sanction_id):
    return _sanction_action(request, organisation_id, sanction_id, lambda s: services.sanction_revoke(
        sanction=s, reason=request.POST.get("reason", ""), user=request.user, now=timezone.now()))
