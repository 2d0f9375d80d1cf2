"""Writes of what the office enters by hand: incidents (违纪事项, SC-11 for members, SC-14 for departments) and
discretionary entries (酌情加减分, SC-9) with the approval of the positive ones (the president's, or the whole
presidium's where the rulebook says so) and the president's revocation of an approved one.

Keyword-only, atomic, Chinese errors, ``now`` explicit. Every write re-syncs the ledger of the term its date
falls in (``scoring.services.ledger_sync``) inside the same transaction, so the score and the ladder's proposals
follow at once, and a refused write changes nothing.

An incident or an entry is about a member of the organisation (who held a post of it on the date) or about one
of its departments, never both. Which incidents reach which: SC-11 lists the member's kinds, SC-14 the
department's; three kinds (整改不到位、敷衍了事、不服从工作安排) appear in both lists.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.selectors import organisation_posts
from orgs.calendar import local_date
from orgs.models import Term
from scoring.engine import Fact, Reach
from scoring.models import (
    ApprovalStatus,
    Approver,
    DiscretionaryEntry,
    DiscretionaryVote,
    Incident,
    IncidentKind,
    Rule,
)
from scoring.rules import is_president_of
from scoring.selectors.entries import presidium, term_approver
from scoring.services.ledger import ledger_sync
from scoring.services.rulebooks import POINTS_LIMIT, term_rulebook_bind

#: SC-11: the incidents the ladder counts for a member.
MEMBER_KINDS = (
    IncidentKind.RECTIFICATION, IncidentKind.PERFUNCTORY, IncidentKind.DISOBEDIENCE, IncidentKind.NO_PROPOSAL,
    IncidentKind.MINOR_DAMAGE, IncidentKind.SERIOUS_DAMAGE, IncidentKind.ERROR, IncidentKind.MAJOR_ERROR,
    IncidentKind.MISCONDUCT,
)
#: SC-14: the incidents against a department that propose a department warning.
DEPARTMENT_KINDS = (
    IncidentKind.PROPOSAL_LATE, IncidentKind.MEETING_NOT_HELD, IncidentKind.RECTIFICATION, IncidentKind.PERFUNCTORY,
    IncidentKind.HANDBACK_LATE, IncidentKind.DISOBEDIENCE, IncidentKind.ACTIVITY_FAILED,
)


#: The longest note or reason the tables keep (their ``max_length``).
TEXT_LENGTH = 200


# --- shared checks ---


def _term_of(organisation, on: dt.date | None, now: dt.datetime) -> Term:
    """The term the date falls in; the date given, not in the future."""
    if on is None:
        raise ValidationError({"on": _("请填写日期。")})
    if on > local_date(now):
        raise ValidationError({"on": _("日期不能晚于今天。")})
    term = Term.objects.filter(tenant_id=organisation.tenant_id, start__lte=on, end__gte=on).order_by(
        "-start").first()
    if term is None:
        raise ValidationError({"on": _("该日期不在任何学期内。")})
    return term


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > TEXT_LENGTH:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": TEXT_LENGTH}})
    return value


def _check_target(organisation, *, person, department, on: dt.date) -> None:
    """Exactly one of a member of the organisation (a post of it on the date) and one of its departments."""
    if person is None and department is None:
        raise ValidationError({"person": _("请选择一名成员或一个部门。")})
    if person is not None and department is not None:
        raise ValidationError({"department": _("成员和部门只能选一个。")})
    if person is not None:
        if person.tenant_id != organisation.tenant_id or person.pk not in {
                row[0] for row in organisation_posts(organisation_id=organisation.pk, start=on, end=on)}:
            raise ValidationError({"person": _("%(name)s在该日期不是本组织的成员。") % {"name": person.name}})
    elif department.organisation_id != organisation.pk:
        raise ValidationError({"department": _("该部门不属于本组织。")})


# --- incidents (SC-11, SC-14) ---


@transaction.atomic
def incident_record(*, organisation, kind: str, on: dt.date, note: str, user, now: dt.datetime, person=None,
                    department=None) -> Incident:
    """The office records an incident against a member (SC-11's kinds) or a department (SC-14's kinds), on a
    date of a term, not in the future, with a note. The ladder re-counts at once."""
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": _("请选择违纪事项的类型。")})
    label = IncidentKind(kind).label
    term = _term_of(organisation, on, now)
    note = _text(note, "note", _("请填写情况说明。"))
    _check_target(organisation, person=person, department=department, on=on)
    if person is not None and kind not in MEMBER_KINDS:
        raise ValidationError({"kind": _("“%(kind)s”是部门的违纪事项，请选择部门。") % {"kind": label}})
    if department is not None and kind not in DEPARTMENT_KINDS:
        raise ValidationError({"kind": _("“%(kind)s”是个人的违纪事项，请选择成员。") % {"kind": label}})
    incident = Incident.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, kind=kind,
                                       person=person, department=department, on=on, note=note, recorded_by=user,
                                       recorded_at=now)
    ledger_sync(organisation=organisation, term=term, now=now)
    return incident


@transaction.atomic
def incident_remove(*, incident: Incident, user, now: dt.datetime) -> None:
    """The office removes an incident recorded in error; the ladder re-counts (a sanction proposed on it is
    marked "basis withdrawn", never deleted)."""
    incident = Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
    organisation, on = incident.organisation, incident.on
    incident.delete()
    term = Term.objects.filter(tenant_id=organisation.tenant_id, start__lte=on, end__gte=on).order_by(
        "-start").first()
    if term is not None:
        ledger_sync(organisation=organisation, term=term, now=now)


# --- discretionary entries (酌情加减分, SC-9) ---


def signed(points: int | None) -> str:
    return f"{points:+d}" if points is not None else ""


def discretionary_rule(*, organisation, term, kind: str, now: dt.datetime) -> Rule:
    """The term's rule (of the version the term is bound to) for a kind of discretionary entry."""
    rulebook = term_rulebook_bind(organisation=organisation, term=term, now=now)
    rule = Rule.objects.filter(rulebook=rulebook, fact=Fact.DISCRETIONARY, outcome=kind).first()
    if rule is None:
        raise ValidationError({"kind": _("请选择酌情加减分的条目。")})
    return rule


def _check_points(rule: Rule, points) -> int:
    if points is None:
        raise ValidationError({"points": _("请填写分值。")})
    if points == 0:
        raise ValidationError({"points": _("分值不能为 0。")})
    low, high = rule.points_min, rule.points_max
    low, high = (-POINTS_LIMIT if low is None else low), (POINTS_LIMIT if high is None else high)
    if not low <= points <= high:
        raise ValidationError({"points": _("分值须在 %(low)s 到 %(high)s 之间。") % {
            "low": signed(low), "high": signed(high)}})
    return points


@transaction.atomic
def discretionary_enter(*, organisation, kind: str, points: int, reason: str, on: dt.date, user,
                        now: dt.datetime, person=None, department=None) -> DiscretionaryEntry:
    """The office enters points of one of the term's discretionary rules (``kind``: the rule's outcome), within
    the rule's range, with a reason, for a member — or for a department when the rule reaches all its members.
    A negative entry counts at once; a positive one waits for the president's approval."""
    term = _term_of(organisation, on, now)
    rule = discretionary_rule(organisation=organisation, term=term, kind=kind, now=now)
    points = _check_points(rule, points)
    reason = _text(reason, "reason", _("请填写理由。"))
    if rule.reach == Reach.PERSON and department is not None:
        raise ValidationError({"department": _("“%(rule)s”加减给个人，请选择成员。") % {"rule": rule.label}})
    if rule.reach != Reach.PERSON and person is not None:
        raise ValidationError({"person": _("“%(rule)s”加减给部门全体成员，请选择部门。") % {"rule": rule.label}})
    _check_target(organisation, person=person, department=department, on=on)
    entry = DiscretionaryEntry.objects.create(
        tenant_id=organisation.tenant_id, organisation=organisation, term=term, rule=rule, person=person,
        department=department, points=points, reason=reason, on=on, entered_by=user, entered_at=now,
        approval=ApprovalStatus.PENDING if points > 0 else "",
    )
    ledger_sync(organisation=organisation, term=term, now=now)
    return entry


def _locked_entry(entry: DiscretionaryEntry) -> DiscretionaryEntry:
    return DiscretionaryEntry.objects.select_for_update().select_related("organisation", "term").get(pk=entry.pk)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > TEXT_LENGTH:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": TEXT_LENGTH}})
    return note


@transaction.atomic
def discretionary_decide(*, entry: DiscretionaryEntry, approve: bool, user, now: dt.datetime,
                         note: str = "") -> DiscretionaryEntry:
    """Approve or refuse a pending positive entry, with an optional note (SC-9).

    By default (``Approver.PRESIDENT``) one decision of the organisation's president (总部长, a holder of the
    主席团/总部长 role) settles it. Where the term's rulebook asks the whole presidium (``Approver.PRESIDIUM``,
    第六条 注: 得到所有人认可), each member records their say once: a refusal refuses the entry; it is approved
    when every member of the presidium today has agreed. An approved entry counts from then on. Anyone else, a
    decided entry, or a second say of the same member is refused, and nothing changes."""
    entry = _locked_entry(entry)
    by_presidium = term_approver(organisation=entry.organisation, term=entry.term) == Approver.PRESIDIUM
    if not is_president_of(user, entry.organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的主席团成员可以审批。") if by_presidium
                              else _("只有本组织的总部长可以审批。"))
    if entry.approval == ApprovalStatus.APPROVED:
        raise ValidationError(_("这条加分已经批准过了。"))
    if entry.approval == ApprovalStatus.REFUSED:
        raise ValidationError(_("这条加分已经审批过了（未批准）。"))
    if entry.approval == ApprovalStatus.REVOKED:
        raise ValidationError(_("这条加分已被撤销。"))
    if entry.approval != ApprovalStatus.PENDING:
        raise ValidationError(_("扣分即时生效，不需要审批。"))
    note = _note(note)
    if by_presidium:
        if DiscretionaryVote.objects.filter(entry=entry, user=user).exists():
            raise ValidationError(_("您已经对这条加分表过态了，需等待其他主席团成员。"))
        DiscretionaryVote.objects.create(tenant_id=entry.tenant_id, entry=entry, user=user, agree=approve, note=note,
                                         at=now)
        if approve and not _presidium_agrees(entry, now):
            return entry  # waits for the others
    entry.approval = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    entry.decided_by, entry.decided_at, entry.decision_note = user, now, note
    entry.save(update_fields=["approval", "decided_by", "decided_at", "decision_note"])
    ledger_sync(organisation=entry.organisation, term=entry.term, now=now)
    return entry


def _presidium_agrees(entry: DiscretionaryEntry, now: dt.datetime) -> bool:
    """Whether every member of the presidium today has agreed to the entry (a presidium of none never does)."""
    members = {user.pk for user in presidium(organisation=entry.organisation, now=now)}
    agreed = set(DiscretionaryVote.objects.filter(entry=entry, agree=True).values_list("user_id", flat=True))
    return bool(members) and members <= agreed


@transaction.atomic
def discretionary_settle(*, tenant, now: dt.datetime) -> int:
    """Approve the pending entries that every member of the presidium *today* has agreed to although nobody's
    say completed them: a member whose role ended after the others agreed. Beat runs it with the ledger's
    periodic sync (``scoring.tasks.ledger_sync_due``). Idempotent; returns the entries approved."""
    approved = 0
    waiting = DiscretionaryEntry.objects.filter(tenant=tenant, approval=ApprovalStatus.PENDING, votes__agree=True)
    for entry in waiting.distinct().select_related("organisation", "term").order_by("pk"):
        if term_approver(organisation=entry.organisation, term=entry.term) != Approver.PRESIDIUM:
            continue
        if DiscretionaryVote.objects.filter(entry=entry, agree=False).exists() or not _presidium_agrees(entry, now):
            continue
        last = DiscretionaryVote.objects.filter(entry=entry, agree=True).order_by("-at", "-pk").first()
        entry.approval, entry.decided_by, entry.decided_at = ApprovalStatus.APPROVED, last.user, now
        entry.decision_note = _("主席团现任成员均已同意。")
        entry.save(update_fields=["approval", "decided_by", "decided_at", "decision_note"])
        ledger_sync(organisation=entry.organisation, term=entry.term, now=now)
        approved += 1
    return approved


@transaction.atomic
def discretionary_revoke(*, entry: DiscretionaryEntry, reason: str, user, now: dt.datetime) -> DiscretionaryEntry:
    """The president (a holder of the 主席团/总部长 role) revokes an approved entry, with a reason: it stops
    counting at once and stays listed as revoked, with who, when and why. Nothing else is revoked."""
    entry = _locked_entry(entry)
    if not is_president_of(user, entry.organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的总部长可以撤销已批准的加分。"))
    if entry.approval == ApprovalStatus.REVOKED:
        raise ValidationError(_("这条加分已经撤销过了。"))
    if entry.approval != ApprovalStatus.APPROVED:
        raise ValidationError(_("只有已批准的加分可以撤销；未批准的由办公室删除。"))
    reason = _text(reason, "reason", _("请填写撤销理由。"))
    entry.approval = ApprovalStatus.REVOKED
    entry.revoked_by, entry.revoked_at, entry.revoke_reason = user, now, reason
    entry.save(update_fields=["approval", "revoked_by", "revoked_at", "revoke_reason"])
    ledger_sync(organisation=entry.organisation, term=entry.term, now=now)
    return entry


@transaction.atomic
def discretionary_remove(*, entry: DiscretionaryEntry, user, now: dt.datetime) -> None:
    """The office removes an entry made in error: a deduction, or a positive entry not approved (pending or
    refused). An approved one stands: the president's decision is not undone by the office (the president
    revokes it, ``discretionary_revoke``); a revoked one stays on record."""
    entry = _locked_entry(entry)
    if entry.approval == ApprovalStatus.APPROVED:
        raise ValidationError(_("已批准的加分不能删除，可由总部长撤销。"))
    if entry.approval == ApprovalStatus.REVOKED:
        raise ValidationError(_("已撤销的加分保留记录，不能删除。"))
    organisation, term = entry.organisation, entry.term
    entry.delete()
    ledger_sync(organisation=organisation, term=term, now=now)
