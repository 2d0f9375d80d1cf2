"""Scoring's duties (SPEC DS-1 for SC-9, SC-11, SC-13; docs/scoring.md "Duties"), found by ``duties.registry.discover``.

* ``scoring.discretionary_decide`` — positive discretionary entries waiting for the president (or, where the
  term's rulebook asks the whole presidium, for the presidium members who have not yet given their say);
* ``scoring.sanction_decide`` — sanctions the office submitted, waiting for the president's decision;
* ``scoring.sanction_file`` — confirmed sanctions waiting for the office to file them (备案);
* ``scoring.award_propose`` / ``scoring.award_confirm`` — in the term's last teaching weeks, each department's
  head (the president for the presidium) proposes its award lists and the office confirms them.

Entries and sanctions are reminded **per organisation and week**: one item gathers what was entered (submitted,
confirmed) in the same Monday-to-Sunday week, due the policy's number of days after the first of them, with the
period ``week:<that Monday>``. An office that enters a month's entries in one sitting makes one reminder, not
twenty; what arrives the next week is a new item with its own due time; and the item's identity never changes
as its rows are decided (a period taken from "the oldest pending row" would move, and remind again).

Discipline is sensitive: a text counts ("1 项处分等待决定 · 朋辈互助联盟"), never names a member or a level.

Each ``collect`` reads in bulk: a fixed number of queries whatever the number of organisations, members,
entries or sanctions (people come from ``ctx.holders``).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from duties.registry import Context, Due, Duty, register
from members.models import AcademicStanding, Membership, Role
from orgs import calendar
from orgs.models import Department, OrganisationKind, PositionCategory, Term
from scoring import engine
from scoring.defaults import default_settings
from scoring.models import (
    ApprovalStatus,
    Approver,
    Award,
    AwardCategory,
    AwardStatus,
    DiscretionaryEntry,
    DiscretionaryVote,
    MemberScore,
    Rulebook,
    Sanction,
    SanctionStatus,
    TermRulebook,
)
from scoring.policies import (
    AWARD_CONFIRM_DAYS,
    AWARD_WINDOW_WEEKS,
    DISCRETIONARY_DECIDE_DAYS,
    SANCTION_DECIDE_DAYS,
    SANCTION_FILE_DAYS,
)

# --- shared: a week's rows of one organisation as one item ---


def _day_due(day: dt.date) -> dt.datetime:
    return calendar.due_at(day)


def rows_window(ctx: Context, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The moments whose rows can make an item due (the week's first row + ``days``) within the context's window,
    with a margin of a week and a day; ``weekly_items`` keeps only the items really due inside it."""
    return ctx.since - dt.timedelta(days=days + 8), ctx.until - dt.timedelta(days=days) + dt.timedelta(days=1)


def weekly_groups(rows, *, days: int) -> dict[tuple[int, dt.date], dict]:
    """Rows ``(organisation id, organisation name, moment, pending, row id)`` → {(organisation id, Monday of the
    moment's week): {"name", "due_at", "pending": [row ids], "all": n}}; due ``days`` after the week's first row
    (the end of that day, the school's time)."""
    groups: dict[tuple[int, dt.date], dict] = {}
    for organisation_id, name, moment, pending, row_id in rows:
        day = calendar.local_date(moment)
        group = groups.setdefault((organisation_id, calendar.monday_of(day)),
                                  {"name": name, "first": day, "pending": [], "all": 0})
        group["first"] = min(group["first"], day)
        group["all"] += 1
        if pending:
            group["pending"].append(row_id)
    for group in groups.values():
        group["due_at"] = _day_due(group["first"] + dt.timedelta(days=days))
    return groups


def organisation_settings(*, tenant, organisation_ids, term_ids) -> dict[tuple[int, int], dict]:
    """{(organisation id, term id): the rulebook settings the term is decided under} for every pair — the version
    the term is bound to, else the organisation's newest, SPEC's defaults filling the rest — in two queries."""
    bound = {(org, term): settings for org, term, settings in TermRulebook.objects.filter(
        tenant=tenant, organisation_id__in=list(organisation_ids), term_id__in=list(term_ids)).values_list(
        "organisation_id", "term_id", "rulebook__settings")}
    newest: dict[int, dict] = {}
    for org, settings in Rulebook.objects.filter(tenant=tenant, organisation_id__in=list(organisation_ids)).order_by(
            "organisation_id", "-version").values_list("organisation_id", "settings"):
        newest.setdefault(org, settings or {})
    defaults = default_settings()
    return {(org, term): {**defaults, **(bound.get((org, term)) or newest.get(org) or {})}
            for org in organisation_ids for term in term_ids}


# --- SC-9: positive discretionary entries awaiting the president's (or presidium's) decision ---


def collect_discretionary(ctx: Context):
    """One item per organisation and week of entry. Responsible: the organisation's president(s) today; where the
    term's rulebook asks the presidium, only the members who have not yet given their say on one of the week's
    pending entries (a member who agreed is not reminded again). Above: the office, who entered the entries and
    follows them up (the alliance has no one above its president; the school's admin takes no part in SC-9)."""
    days = ctx.policy(DISCRETIONARY_DECIDE_DAYS.key)
    start, end = rows_window(ctx, days)
    rows = list(DiscretionaryEntry.objects.filter(
        tenant=ctx.tenant, points__gt=0, entered_at__gte=start, entered_at__lte=end).exclude(approval="").values_list(
        "organisation_id", "organisation__name", "entered_at", "approval", "pk", "term_id"))
    if not rows:
        return
    pending = {pk: (org, term) for org, _name, _at, approval, pk, term in rows if approval == ApprovalStatus.PENDING}
    approvers = {key: settings.get("discretionary_approval", Approver.PRESIDENT) for key, settings in
                 organisation_settings(tenant=ctx.tenant, organisation_ids={org for org, *_r in rows},
                                       term_ids={row[5] for row in rows}).items()}
    said: dict[int, set[int]] = defaultdict(set)
    if any(approvers[key] == Approver.PRESIDIUM for key in pending.values()):
        for entry_id, user_id in DiscretionaryVote.objects.filter(tenant=ctx.tenant, entry_id__in=list(
                pending)).values_list("entry_id", "user_id"):
            said[entry_id].add(user_id)
    groups = weekly_groups(((org, name, at, approval == ApprovalStatus.PENDING, pk)
                            for org, name, at, approval, pk, _term in rows), days=days)
    for (organisation_id, monday), group in groups.items():
        if not ctx.covers(group["due_at"]):
            continue
        presidents = ctx.holders.of(Role.PRESIDENT, organisation=organisation_id)
        responsible: set[int] = set()
        for entry_id in group["pending"]:
            by_presidium = approvers[pending[entry_id]] == Approver.PRESIDIUM
            responsible |= presidents - said[entry_id] if by_presidium else presidents
        count = len(group["pending"]) or group["all"]
        yield Due(
            duty=DISCRETIONARY.key, subject=f"organisation:{organisation_id}", period=f"week:{monday.isoformat()}",
            due_at=group["due_at"], responsible=frozenset(responsible),
            above=ctx.holders.of(Role.OFFICE, organisation=organisation_id),
            url=reverse("scoring:discretionary_approvals", args=[organisation_id]),
            text=_("%(n)s 条加分待审批 · %(organisation)s") % {"n": count, "organisation": group["name"]},
            scope=group["name"], done=not group["pending"])


DISCRETIONARY = register(Duty(
    key="scoring.discretionary_decide",
    label=_lazy("审批酌情加分"),
    rule=_lazy("办公室录入的酌情加分须经批准才计入积分：录入后规定天数内由总部长审批（细则要求主席团全体同意时，"
               "由每位主席团成员表态）。同一周录入的加分合为一项提醒。"),
    who=_lazy("总部长；要求主席团全体同意时，为尚未表态的主席团成员"),
    above=_lazy("办公室（录入加分并跟进审批）"),
    collect=collect_discretionary,
    module="alliance",
    policies=(DISCRETIONARY_DECIDE_DAYS.key,),
))


# --- SC-11: sanctions awaiting the president's decision, and confirmed ones awaiting filing ---


def collect_sanction_decide(ctx: Context):
    """One item per organisation and week of submission (``submitted_at``). Responsible: the president(s);
    above: the school's admin (学生处), who oversees the alliance's discipline — the president has no one above
    within the organisation, and an undecided sanction should not wait unseen."""
    days = ctx.policy(SANCTION_DECIDE_DAYS.key)
    start, end = rows_window(ctx, days)
    rows = Sanction.objects.filter(tenant=ctx.tenant, submitted_at__gte=start, submitted_at__lte=end).values_list(
        "organisation_id", "organisation__name", "submitted_at", "status", "pk")
    groups = weekly_groups(((org, name, at, status == SanctionStatus.SUBMITTED, pk)
                            for org, name, at, status, pk in rows), days=days)
    admins = ctx.holders.of(Role.TENANT_ADMIN)
    for (organisation_id, monday), group in groups.items():
        if ctx.covers(group["due_at"]):
            count = len(group["pending"]) or group["all"]
            yield Due(
                duty=SANCTION_DECIDE.key, subject=f"organisation:{organisation_id}",
                period=f"week:{monday.isoformat()}", due_at=group["due_at"],
                responsible=ctx.holders.of(Role.PRESIDENT, organisation=organisation_id), above=admins,
                url=reverse("scoring:sanction_list", args=[organisation_id]),
                text=_("%(n)s 项处分等待决定 · %(organisation)s") % {"n": count, "organisation": group["name"]},
                scope=group["name"], done=not group["pending"])


def collect_sanction_file(ctx: Context):
    """One item per organisation and week of confirmation. The model has no ``confirmed_at``: a confirmed
    sanction's ``decided_at`` is the moment of its confirmation (a dismissal stamps it too, so only the statuses
    a confirmation leads to are read: confirmed, filed, revoked). Responsible: the office; above: the
    president(s), who confirmed it."""
    days = ctx.policy(SANCTION_FILE_DAYS.key)
    start, end = rows_window(ctx, days)
    rows = Sanction.objects.filter(
        tenant=ctx.tenant, decided_at__gte=start, decided_at__lte=end,
        status__in=[SanctionStatus.CONFIRMED, SanctionStatus.FILED, SanctionStatus.REVOKED]).values_list(
        "organisation_id", "organisation__name", "decided_at", "status", "pk")
    groups = weekly_groups(((org, name, at, status == SanctionStatus.CONFIRMED, pk)
                            for org, name, at, status, pk in rows), days=days)
    for (organisation_id, monday), group in groups.items():
        if ctx.covers(group["due_at"]):
            count = len(group["pending"]) or group["all"]
            yield Due(
                duty=SANCTION_FILE.key, subject=f"organisation:{organisation_id}",
                period=f"week:{monday.isoformat()}", due_at=group["due_at"],
                responsible=ctx.holders.of(Role.OFFICE, organisation=organisation_id),
                above=ctx.holders.of(Role.PRESIDENT, organisation=organisation_id),
                url=reverse("scoring:sanction_list", args=[organisation_id]),
                text=_("%(n)s 项处分等待备案 · %(organisation)s") % {"n": count, "organisation": group["name"]},
                scope=group["name"], done=not group["pending"])


SANCTION_DECIDE = register(Duty(
    key="scoring.sanction_decide",
    label=_lazy("决定处分"),
    rule=_lazy("办公室审核提交的处分，提交后规定天数内由总部长确认或驳回（附理由）。同一周提交的处分合为一项提醒。"),
    who=_lazy("总部长（主席团）"),
    above=_lazy("学校管理员（学生处）"),
    collect=collect_sanction_decide,
    module="alliance",
    policies=(SANCTION_DECIDE_DAYS.key,),
))

SANCTION_FILE = register(Duty(
    key="scoring.sanction_file",
    label=_lazy("处分备案"),
    rule=_lazy("总部长确认的处分，确认后规定天数内由办公室编号备案。同一周确认的处分合为一项提醒。"),
    who=_lazy("办公室"),
    above=_lazy("总部长（主席团）"),
    collect=collect_sanction_file,
    module="alliance",
    policies=(SANCTION_FILE_DAYS.key,),
))


# --- SC-13: the term's award lists, proposed by the heads and confirmed by the office ---


def award_window_opens(start: dt.date, end: dt.date, weeks: int) -> dt.date:
    """The Monday of the first of the term's last ``weeks`` teaching weeks (week 1 for a shorter term). A term
    ending mid-week has that partial week as its last."""
    count = calendar.week_count(start, end)
    return calendar.week_monday(start, end, max(1, count - weeks + 1))


def award_groups(*, tenant, terms) -> dict[tuple[int, int], set[tuple[int, str]]]:
    """{(organisation id, term id): {(department id, category)}} of the alliance organisations' lists that have
    an eligible member (SC-12) in each term — the lists a head can propose. As the award board counts them: each
    member under their last post of the organisation in the term, in its department (none: no list); eligible
    as ``engine.eligibility`` says on the stored counts (``MemberScore``) and the term's failed courses, under
    the term's rulebook settings. Five queries for every organisation and term at once."""
    term_ids = [t.pk for t in terms]
    first, last = min(t.start for t in terms), max(t.end for t in terms)
    posts: dict[tuple[int, int], dict[int, tuple]] = defaultdict(dict)
    for person, org, department, category, start, end in Membership.objects.filter(
            tenant=tenant, organisation__kind=OrganisationKind.ALLIANCE, start__lte=last).filter(
            Q(end__isnull=True) | Q(end__gte=first)).order_by("pk").values_list(
            "person_id", "organisation_id", "department_id", "position__category", "start", "end"):
        for term in terms:
            if start <= term.end and (end is None or end >= term.start):
                posts[(org, term.pk)][person] = (department, category)  # by id: the newest post wins
    if not posts:
        return {}
    counts = {(org, term, person): engine.Counts(lates=lates, absences=absences)
              for org, term, person, lates, absences in MemberScore.objects.filter(
                  tenant=tenant, term_id__in=term_ids).values_list(
                  "organisation_id", "term_id", "person_id", "lates", "absences")}
    # Sensitive (academic standing): read only as "failed a course" for eligibility, never shown.
    failed = set(AcademicStanding.objects.filter(tenant=tenant, term_id__in=term_ids, failed_courses__gt=0)
                 .values_list("term_id", "person_id"))
    settings = organisation_settings(tenant=tenant, organisation_ids={org for org, _term in posts},
                                     term_ids=term_ids)
    groups: dict[tuple[int, int], set[tuple[int, str]]] = defaultdict(set)
    for (org, term), people in posts.items():
        limit = settings[(org, term)]["eligibility_max_lates_and_absences"]
        for person, (department, category) in people.items():
            if department is None:
                continue
            if not engine.eligibility(counts.get((org, term, person)), failed_courses=int((term, person) in failed),
                                      max_lates_and_absences=limit):
                award_category = AwardCategory.CADRE if category == PositionCategory.CADRE else AwardCategory.OFFICER
                groups[(org, term)].add((department, str(award_category)))
    return groups


def _open_terms(ctx: Context, *, after_end_days: int):
    """The school's terms whose award window is open today and whose lists may still be due in the window."""
    weeks = ctx.policy(AWARD_WINDOW_WEEKS.key)
    since = calendar.local_date(ctx.since) - dt.timedelta(days=after_end_days)
    terms = Term.objects.filter(tenant=ctx.tenant, start__lte=ctx.today, end__gte=since).order_by("start")
    return [t for t in terms if award_window_opens(t.start, t.end, weeks) <= ctx.today]


def _award_state(ctx: Context, terms):
    """The lists to propose, the stored rows' state per list, and the departments (names, presidium)."""
    groups = award_groups(tenant=ctx.tenant, terms=terms)
    stored: dict[tuple[int, int, int, str], set[str]] = defaultdict(set)
    for org, term, department, category, status in Award.objects.filter(
            tenant=ctx.tenant, term_id__in=[t.pk for t in terms]).values_list(
            "organisation_id", "term_id", "department_id", "category", "status").distinct():
        stored[(org, term, department, category)].add(status)
    departments = {pk: (name, presidium, org_name) for pk, name, presidium, org_name in Department.objects.filter(
        tenant=ctx.tenant, organisation__kind=OrganisationKind.ALLIANCE).values_list(
        "pk", "name", "is_presidium", "organisation__name")}
    return groups, stored, departments


def collect_award_propose(ctx: Context):
    """One item per department with an eligible member and term, once the term's award window is open, due at
    the term's end: done when each of its lists that has an eligible member has been proposed (any ``Award`` row
    of that department, term and category). Responsible: the department's head; for the presidium the
    president(s). Above: the president(s)."""
    terms = [t for t in _open_terms(ctx, after_end_days=0) if ctx.covers(_day_due(t.end))]
    if not terms:
        return
    groups, stored, departments = _award_state(ctx, terms)
    for term in terms:
        for (org, term_id), lists in groups.items():
            if term_id != term.pk:
                continue
            for department in sorted({d for d, _c in lists}):
                name, presidium, org_name = departments[department]
                presidents = ctx.holders.of(Role.PRESIDENT, organisation=org)
                heads = presidents if presidium else ctx.holders.of(Role.DEPARTMENT_HEAD, department=department)
                done = all(stored.get((org, term.pk, d, c)) for d, c in lists if d == department)
                yield Due(
                    duty=AWARD_PROPOSE.key, subject=f"department:{department}", period=f"term:{term.pk}",
                    due_at=_day_due(term.end), responsible=heads, above=presidents,
                    url=reverse("scoring:award_board", args=[org, term.pk]),
                    text=_("%(department)s评优名单待推荐 · %(organisation)s %(term)s") % {
                        "department": name, "organisation": org_name, "term": term.name},
                    scope=org_name, done=done)


def collect_award_confirm(ctx: Context):
    """One item per organisation with an eligible member and term, once the term's award window is open, due the
    policy's number of days after the term's end (the heads' proposals are due on its last day; the office needs
    a few days after the last of them). Done when every list that has an eligible member is proposed and no
    stored row waits for confirmation. Responsible: the office; above: the president(s)."""
    confirm_days = ctx.policy(AWARD_CONFIRM_DAYS.key)

    def due(term):
        return _day_due(term.end + dt.timedelta(days=confirm_days))

    terms = [t for t in _open_terms(ctx, after_end_days=confirm_days) if ctx.covers(due(t))]
    if not terms:
        return
    groups, stored, departments = _award_state(ctx, terms)
    names = {pk: org_name for pk, (_n, _p, org_name) in departments.items()}
    for term in terms:
        for (org, term_id), lists in groups.items():
            if term_id != term.pk:
                continue
            org_name = names[next(iter(lists))[0]]
            done = all(stored.get((org, term.pk, d, c)) == {AwardStatus.CONFIRMED.value} for d, c in lists) and not any(
                AwardStatus.PROPOSED in statuses for (o, t, _d, _c), statuses in stored.items()
                if (o, t) == (org, term.pk))
            yield Due(
                duty=AWARD_CONFIRM.key, subject=f"organisation:{org}", period=f"term:{term.pk}",
                due_at=due(term), responsible=ctx.holders.of(Role.OFFICE, organisation=org),
                above=ctx.holders.of(Role.PRESIDENT, organisation=org),
                url=reverse("scoring:award_board", args=[org, term.pk]),
                text=_("评优名单待确认 · %(organisation)s %(term)s") % {"organisation": org_name, "term": term.name},
                scope=org_name, done=done)


AWARD_PROPOSE = register(Duty(
    key="scoring.award_propose",
    label=_lazy("推荐评优名单"),
    rule=_lazy("学期最后几个教学周内，各部门部长推荐本部门的优秀干事、优秀干部名单（主席团的名单由总部长推荐），"
               "学期最后一天截止；只提醒有符合评优资格成员的部门。"),
    who=_lazy("部长；主席团的名单为总部长"),
    above=_lazy("总部长（主席团）"),
    collect=collect_award_propose,
    module="alliance",
    policies=(AWARD_WINDOW_WEEKS.key,),
))

AWARD_CONFIRM = register(Duty(
    key="scoring.award_confirm",
    label=_lazy("确认评优名单"),
    rule=_lazy("部长推荐后，办公室确认各部门的评优名单，学期结束后规定天数内完成。"),
    who=_lazy("办公室"),
    above=_lazy("总部长（主席团）"),
    collect=collect_award_confirm,
    module="alliance",
    policies=(AWARD_WINDOW_WEEKS.key, AWARD_CONFIRM_DAYS.key),
))
