"""Rulebook pages (issue 5 item 1): the organisation's current rulebook, its versions, the edit page that makes a
new version, and re-scoring an open term under the newest version (a preview, then a confirming POST).

Who: the office of the organisation and the school's admin edit and re-score (``scoring.edit_rulebook``); the
presidium and department heads read; an officer gets 403; another organisation or school is missing (404), like
a version or a term that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from orgs.calendar import local_date
from orgs.models import Term
from orgs.tenancy import get_object_or_404
from orgs.web import error_text, requires
from scoring import selectors, services
from scoring.access import organisation_for_rulebook_editor, organisation_or_choice, visible_organisation
from scoring.forms.rulebooks import RulebookForm
from scoring.models import Rulebook

# --- access helpers: a missing, a foreign and an invisible id are the same 404 ---


# --- pages ---


@requires("scoring.view_rulebook")
def rulebook_list(request):
    return organisation_or_choice(request, url_name="scoring:rulebook", template="scoring/rulebook_list.html")


def _version_page(request, organisation, rulebook, *, current):
    """The rules and settings of one version; for the newest also the terms and the version history."""
    today = local_date(timezone.now())
    newest = rulebook if current else selectors.rulebook_current(organisation=organisation)
    rules = selectors.rulebook_rules(rulebook=rulebook) if rulebook else []
    previous = None if rulebook is None else selectors.rulebook_previous(rulebook=rulebook)
    changes = []
    if previous is not None:
        changes = (selectors.rules_diff(selectors.rulebook_rules(rulebook=previous), rules)
                   + selectors.settings_diff(previous.settings, rulebook.settings))
    bindings = selectors.term_bindings(organisation=organisation, newest=newest, today=today)
    return render(request, "scoring/rulebook.html", {
        "organisation": organisation, "rulebook": rulebook, "newest": newest, "current": current,
        "groups": selectors.rule_groups(rules), "settings": selectors.settings_view(rulebook.settings)
        if rulebook else None, "previous": previous, "changes": changes,
        "bindings": bindings if current else [b for b in bindings if b.rulebook.pk == rulebook.pk],
        "versions": selectors.rulebook_versions(organisation=organisation) if current else [],
        "editor": request.user.has_perm("scoring.edit_rulebook", organisation),
    })


@requires("scoring.view_rulebook")
def rulebook(request, organisation_id):
    organisation = visible_organisation(request, organisation_id)[0]
    return _version_page(request, organisation, selectors.rulebook_current(organisation=organisation), current=True)


@requires("scoring.view_rulebook")
def rulebook_version(request, organisation_id, rulebook_id):
    organisation = visible_organisation(request, organisation_id)[0]
    version = get_object_or_404(Rulebook.objects.filter(organisation=organisation).select_related(
        "created_by__person"), pk=rulebook_id)
    newest = selectors.rulebook_current(organisation=organisation)
    return _version_page(request, organisation, version, current=version.pk == newest.pk)


@requires("scoring.view_rulebook")
@require_POST
def rulebook_start(request, organisation_id):
    """An organisation never scored has no rulebook yet: its office may start one from SPEC's defaults now."""
    organisation = organisation_for_rulebook_editor(request, organisation_id)
    rulebook = services.rulebook_ensure(organisation=organisation, now=timezone.now())
    messages.success(request, _("已按默认细则建立第 %(n)s 版。") % {"n": rulebook.version})
    return redirect("scoring:rulebook", organisation_id=organisation.pk)


@requires("scoring.view_rulebook")
@require_http_methods(["GET", "POST"])
def rulebook_edit(request, organisation_id):
    organisation = organisation_for_rulebook_editor(request, organisation_id)
    current = selectors.rulebook_current(organisation=organisation)
    if current is None:
        messages.error(request, _("本组织还没有考核细则，请先建立。"))
        return redirect("scoring:rulebook", organisation_id=organisation.pk)
    form = RulebookForm(request.POST if request.method == "POST" else None, rulebook=current,
                        rules=selectors.rulebook_rules(rulebook=current))
    if form.is_valid():
        try:
            version = services.rulebook_edit(organisation=organisation, base=current, user=request.user,
                                              now=timezone.now(), **form.edit())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存为第 %(n)s 版。进行中的学期仍按原版本计分，可在下方按新版本重新计分。")
                             % {"n": version.version})
            return redirect("scoring:rulebook", organisation_id=organisation.pk)
    return render(request, "scoring/rulebook_edit.html", {
        "organisation": organisation, "rulebook": current, "form": form, "groups": form.rule_groups(),
    })


@requires("scoring.view_rulebook")
@require_http_methods(["GET", "POST"])
def term_rescore(request, organisation_id, term_id):
    """GET: what re-scoring the term under the newest version would change, per member. POST: do it (the
    version previewed is posted back; a newer one since is refused)."""
    organisation = organisation_for_rulebook_editor(request, organisation_id)
    term = get_object_or_404(Term, pk=term_id)
    back = redirect("scoring:rulebook", organisation_id=organisation.pk)
    now = timezone.now()
    if request.method == "POST":
        target = get_object_or_404(Rulebook.objects.filter(organisation=organisation),
                                   pk=request.POST.get("rulebook", ""))
        try:
            services.term_rescore(organisation=organisation, term=term, rulebook=target, now=now)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("%(term)s已按第 %(n)s 版重新计分。") % {"term": term.name, "n": target.version})
        return back
    target = selectors.rulebook_current(organisation=organisation)
    if target is None:
        messages.error(request, _("本组织还没有考核细则，请先建立。"))
        return back
    try:
        preview = services.term_rescore_preview(organisation=organisation, term=term, rulebook=target, now=now)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return back
    n = len(preview.people)
    return render(request, "scoring/rulebook_rescore.html", {
        "organisation": organisation, "term": term, "preview": preview,
        "summary": ngettext("%(n)s 人的积分或记录会变化", "%(n)s 人的积分或记录会变化", n) % {"n": n},
    })
