"""Writes of scoring: an organisation's rulebook, the version a term runs under, and the stored ledger.

``ledger_sync`` is the one way the ledger changes: it computes the term from scratch (scoring.engine) and
stores the difference, so the stored ledger always equals a from-scratch computation and running it twice
changes nothing.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from members.models import Role
from members.roles import scope_ids
from orgs.calendar import local_date
from orgs.models import Organisation, OrganisationKind, Term
from orgs.tenancy import tenant_scope
from scoring import engine, facts
from scoring.defaults import default_rules, default_settings
from scoring.models import (
    LEVEL_RANK,
    LedgerEntry,
    MemberScore,
    Rule,
    Rulebook,
    Sanction,
    SanctionStatus,
    TermRulebook,
    TermSync,
)


@transaction.atomic
def rulebook_ensure(*, organisation, now: dt.datetime) -> Rulebook:
    """The organisation's newest rulebook; version 1 from SPEC's defaults if it has none yet."""
    newest = Rulebook.objects.filter(organisation=organisation).order_by("-version").first()
    if newest is not None:
        return newest
    rulebook = Rulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, version=1,
                                       settings=default_settings(), created_at=now)
    Rule.objects.bulk_create([Rule(tenant_id=organisation.tenant_id, rulebook=rulebook, **row)
                              for row in default_rules()])
    return rulebook


@transaction.atomic
def term_rulebook_bind(*, organisation, term, now: dt.datetime) -> Rulebook:
    """The version the term runs under: bound once, to the newest version when the term is first scored."""
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    if bound is not None:
        return bound.rulebook
    rulebook = rulebook_ensure(organisation=organisation, now=now)
    TermRulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                rulebook=rulebook, bound_at=now)
    return rulebook


def engine_rulebook(rulebook: Rulebook) -> engine.Rulebook:
    return engine.Rulebook(
        engine.Rule(id=r.pk, fact=r.fact, outcome=r.outcome, points=r.points, kinds=frozenset(r.kinds),
                    stars_min=r.stars_min, stars_max=r.stars_max, reach=r.reach, term_cap=r.term_cap)
        for r in Rule.objects.filter(rulebook=rulebook).order_by("position", "pk")
    )


@dataclass
class SyncResult:
    created: int = 0
    deleted: int = 0
    changed: int = 0


def _stored(*, organisation, term) -> dict[tuple, tuple]:
    return {
        (person, rule, fact_type, fact_key): (pk, points, on)
        for pk, person, rule, fact_type, fact_key, points, on in LedgerEntry.objects.filter(
            organisation=organisation, term=term).values_list("pk", "person_id", "rule_id", "fact_type",
                                                              "fact_key", "points", "on")
    }


def ledger_lock(organisation_id: int) -> None:
    """Hold the organisation's ledger until the transaction ends: ``ledger_sync`` reads the stored ledger and
    writes the difference, so two syncs of one organisation at once (two mark saves of different meetings)
    would both insert the same entry (``ledger_one_entry_per_fact``: a 500 and the save rolled back).

    PostgreSQL: a FOR NO KEY UPDATE lock on the organisation's row (it always exists; rows referencing it can
    still be inserted). SQLite has no row locks: its transactions take the database's write lock up front
    (``transaction_mode`` in config/settings.py), which serialises the syncs already. Whoever locks sanction
    rows and then syncs takes this lock first (``_locked_sanction``): ``ladder_sync`` updates sanctions under
    it, and the reverse order could deadlock."""
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id).values_list("pk"))


@transaction.atomic
def ledger_sync(*, organisation, term, now: dt.datetime) -> SyncResult:
    """Recompute the organisation's term as of ``now``, store the difference (bulk operations only), bring the
    ladder's proposals up to date (``ladder_sync``) and the members' stored totals and counts
    (``member_scores_sync``). One sync of an organisation at a time (``ledger_lock``). Records in the term's
    ``TermSync`` the changes it has seen: every change counted before the facts were read."""
    ledger_lock(organisation.pk)
    seen = TermSync.objects.filter(organisation=organisation, term=term).values_list("requested", flat=True).first()
    rulebook = term_rulebook_bind(organisation=organisation, term=term, now=now)
    term_facts = facts.load(organisation_id=organisation.pk, term=term)
    computed = engine.compute(term_facts, engine_rulebook(rulebook), as_of=now, today=local_date(now))
    stored = _stored(organisation=organisation, term=term)
    result, new, changed = SyncResult(), [], []
    for entry in computed:
        row = stored.pop(entry.key, None)
        if row is None:
            new.append(LedgerEntry(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                   person_id=entry.person_id, rule_id=entry.rule_id, fact_type=entry.fact_type,
                                   fact_key=entry.fact_key, points=entry.points, on=entry.on))
        elif (row[1], row[2]) != (entry.points, entry.on):
            changed.append(LedgerEntry(pk=row[0], points=entry.points, on=entry.on))
    gone = [row[0] for row in stored.values()]
    for start in range(0, len(gone), 500):
        LedgerEntry.objects.filter(pk__in=gone[start:start + 500]).delete()
    LedgerEntry.objects.bulk_create(new, batch_size=1000)
    LedgerEntry.objects.bulk_update(changed, ["points", "on"], batch_size=500)
    result.created, result.deleted, result.changed = len(new), len(gone), len(changed)
    counts = engine.ladder_counts(term_facts, lates_per_absence=rulebook.settings["lates_per_absence"])
    ladder_sync(organisation=organisation, term=term, term_facts=term_facts, counts=counts,
                settings=rulebook.settings, now=now)
    member_scores_sync(organisation=organisation, term=term, computed=computed, counts=counts)
    if seen:
        TermSync.objects.filter(organisation=organisation, term=term, synced__lt=seen).update(synced=seen,
                                                                                            synced_at=now)
    return result


def member_scores_sync(*, organisation, term, computed, counts: dict[int, engine.Counts]) -> int:
    """Store each member's ledger total, number of entries and ladder counts (``MemberScore``) as the sync just
    computed them; only the rows that differ are written (bulk). Returns the rows written or deleted."""
    wanted: dict[int, dict] = {}
    for entry in computed:
        row = wanted.setdefault(entry.person_id, {"points": 0, "entries": 0})
        row["points"] += entry.points
        row["entries"] += 1
    for person_id, c in counts.items():
        row = wanted.setdefault(person_id, {"points": 0, "entries": 0})
        row.update({name: getattr(c, name) for name in MemberScore.COUNT_FIELDS},
                   incidents=dict(sorted(c.incidents.items())))
    blank = {"points": 0, "entries": 0, **dict.fromkeys(MemberScore.COUNT_FIELDS, 0), "incidents": {}}
    stored = {score.person_id: score for score in MemberScore.objects.filter(organisation=organisation, term=term)}
    new, changed = [], []
    fields = list(blank)
    for person_id, values in wanted.items():
        values = {**blank, **values}
        score = stored.pop(person_id, None)
        if score is None:
            new.append(MemberScore(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                   person_id=person_id, **values))
        elif any(getattr(score, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(score, name, value)
            changed.append(score)
    gone = [score.pk for score in stored.values()]
    MemberScore.objects.filter(pk__in=gone).delete()
    MemberScore.objects.bulk_create(new, batch_size=1000)
    MemberScore.objects.bulk_update(changed, fields, batch_size=500)
    return len(new) + len(changed) + len(gone)


# --- when the ledger is synced: a change of the facts asks for a sync; a task does it after the commit ---

#: A sync task sent this long ago and not yet started is taken as lost: the next change sends another.
SYNC_REQUEUE_AFTER = dt.timedelta(seconds=60)


def ledger_request(*, organisation_id: int, tenant_id: int, term_id: int, now: dt.datetime) -> None:
    """A fact of the organisation's term changed, in the caller's transaction: count the change (committed or
    rolled back with the fact, so no change is ever forgotten) and, once the transaction has committed, send
    one sync task for the term unless one is already waiting (``ledger_sync_requested``). A burst of saves
    makes one or two syncs, not one each, and none of them inside a save's request."""
    term_sync = TermSync.objects.filter(organisation_id=organisation_id, term_id=term_id)
    if not term_sync.update(requested=F("requested") + 1):
        try:
            with transaction.atomic():  # a savepoint: another save may create the row at the same moment
                TermSync.objects.create(tenant_id=tenant_id, organisation_id=organisation_id, term_id=term_id,
                                        requested=1)
        except IntegrityError:
            term_sync.update(requested=F("requested") + 1)
    transaction.on_commit(lambda: _send_sync(tenant_id, organisation_id, term_id, now), robust=True)


def _send_sync(tenant_id: int, organisation_id: int, term_id: int, now: dt.datetime) -> None:
    from scoring import tasks

    with tenant_scope(tenant_id):
        waiting = TermSync.objects.filter(organisation_id=organisation_id, term_id=term_id).filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=now - SYNC_REQUEUE_AFTER))
        if waiting.update(queued_at=now):
            try:
                tasks.ledger_sync_requested.apply_async((tenant_id, organisation_id, term_id),
                                                        countdown=django_settings.SCORING_SYNC_DELAY_SECONDS)
            except Exception:
                # the broker is down: let the next change try again (the beat's sweep syncs it meanwhile)
                TermSync.objects.filter(organisation_id=organisation_id, term_id=term_id).update(queued_at=None)
                raise


def ledger_sync_requested(*, organisation, term, now: dt.datetime) -> bool:
    """The task's work: sync the term if a change has not been seen yet. It first lets the next change send a
    new task (``queued_at`` cleared), so a change made during this sync is never left waiting. Returns whether
    it synced."""
    TermSync.objects.filter(organisation=organisation, term=term).update(queued_at=None)
    with transaction.atomic():
        ledger_lock(organisation.pk)
        pending = TermSync.objects.filter(organisation=organisation, term=term,
                                          synced__lt=F("requested")).exists()
        if pending:
            ledger_sync(organisation=organisation, term=term, now=now)
    return pending


OPEN = (SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED, SanctionStatus.CONFIRMED, SanctionStatus.FILED)


def _basis(counts: engine.Counts, reasons) -> dict:
    return {"counts": {"lates": counts.lates, "absences": counts.absences, "extra_absences": counts.extra_absences,
                       "minutes_not_taken": counts.minutes_not_taken, "incidents": dict(counts.incidents),
                       "careless": counts.careless},
            "reasons": [list(r) for r in reasons]}


def ladder_sync(*, organisation, term, term_facts: engine.Facts, counts: dict[int, engine.Counts], settings: dict,
                now: dt.datetime) -> int:
    """SC-10, SC-11, SC-14: propose the heaviest level each member (and department) reaches, unless a sanction
    of that level is already open; mark open sanctions whose level is no longer reached "basis withdrawn" (and
    clear the mark when it is reached again). Nothing is ever deleted here. Returns the proposals made."""
    levels: dict[tuple[str, int], tuple[str, list, engine.Counts]] = {}
    for person_id, person_counts in counts.items():
        level, reasons = engine.ladder_level(person_counts, ladder=settings["ladder"],
                                             careless_proposes=settings.get("careless_proposes"))
        if level:
            levels["person", person_id] = (level, reasons, person_counts)
    for department_id, department in engine.department_counts(term_facts).items():
        level, reasons = engine.ladder_level(department, ladder=settings.get("department_ladder", {}))
        if level:
            levels["department", department_id] = (level, reasons, department)
    sanctions = list(Sanction.objects.filter(organisation=organisation, term=term))
    open_sanctions = [s for s in sanctions if s.status in OPEN]
    held = {("person" if s.person_id else "department", s.person_id or s.department_id, s.level)
            for s in open_sanctions}
    # A dismissed or revoked sanction is not proposed again on the same grounds: only when the counts change.
    decided = {("person" if s.person_id else "department", s.person_id or s.department_id, s.level,
                json.dumps(s.basis.get("reasons"))) for s in sanctions if s.status not in OPEN}
    proposals = [
        Sanction(tenant_id=organisation.tenant_id, organisation=organisation, term=term, level=level,
                 basis=_basis(counts, reasons), proposed_at=now,
                 **({"person_id": who} if kind == "person" else {"department_id": who}))
        for (kind, who), (level, reasons, counts) in sorted(levels.items())
        if (kind, who, level) not in held
        and (kind, who, level, json.dumps([list(r) for r in reasons])) not in decided
    ]
    Sanction.objects.bulk_create(proposals)
    withdrawn, restored = [], []
    for sanction in open_sanctions:
        key = ("person", sanction.person_id) if sanction.person_id else ("department", sanction.department_id)
        reached = levels.get(key, (None,))[0]
        still = reached is not None and LEVEL_RANK[reached] >= LEVEL_RANK[sanction.level]
        if sanction.basis_withdrawn == still:
            (restored if still else withdrawn).append(sanction.pk)
    Sanction.objects.filter(pk__in=withdrawn).update(basis_withdrawn=True)
    Sanction.objects.filter(pk__in=restored).update(basis_withdrawn=False)
    return len(proposals)


def ledger_sync_pending(*, tenant, now: dt.datetime) -> int:
    """Sync every term of the school with a change no sync has seen yet, as their tasks would: what "the worker
    has caught up" means (the beat's sweep, ``manage.py`` runs, tests). Returns the syncs run."""
    runs = 0
    for state in TermSync.objects.filter(tenant=tenant, synced__lt=F("requested")).select_related(
            "organisation", "term").order_by("organisation_id", "term_id"):
        runs += ledger_sync_requested(organisation=state.organisation, term=state.term, now=now)
    return runs


def ledger_sync_due(*, tenant, now: dt.datetime) -> int:
    """What the date alone changes (a month's full-attendance bonus once the month is over, "never submitted"
    once a deadline passes): re-sync every alliance organisation's running term of the school, and the term
    that ended most recently in the last week (its last days' deadlines); and any other term with a change no
    sync has seen (its task was lost: the broker restarted). Idempotent. Returns the syncs run."""
    if not tenant.is_active or not tenant.has_module("alliance"):
        return 0
    today = local_date(now)
    terms = list(Term.objects.filter(tenant=tenant, start__lte=today, end__gte=today - dt.timedelta(days=7)))
    organisations = {o.pk: o for o in Organisation.objects.filter(tenant=tenant, kind=OrganisationKind.ALLIANCE)}
    due = {(organisation_id, term.pk): term for organisation_id in sorted(organisations) for term in terms}
    for state in TermSync.objects.filter(tenant=tenant, synced__lt=F("requested"),
                                         organisation_id__in=list(organisations)).select_related("term"):
        due.setdefault((state.organisation_id, state.term_id), state.term)
    for (organisation_id, _term_id), term in sorted(due.items(), key=lambda item: item[0]):
        ledger_sync(organisation=organisations[organisation_id], term=term, now=now)
    return len(due)


# --- the sanction workflow (SC-11): the office reviews and submits, the president decides, the office files ---


def is_president(user, organisation) -> bool:
    """The organisation's president (总部长): who confirms and revokes sanctions and approves positive entries."""
    return organisation.pk in scope_ids(user, Role.PRESIDENT, "organisation_id")


def is_office(user, organisation) -> bool:
    """The organisation's office (办公室): who reviews, submits and files sanctions."""
    return organisation.pk in scope_ids(user, Role.OFFICE, "organisation_id")


def _locked_sanction(sanction: Sanction) -> Sanction:
    ledger_lock(sanction.organisation_id)  # the ledger's lock first, as ledger_sync takes them (no deadlock)
    return Sanction.objects.select_for_update().select_related("organisation", "term").get(pk=sanction.pk)


def _resync_if_department(sanction: Sanction, now: dt.datetime) -> None:
    """A department warning's status decides points (SC-14): the ledger follows at once."""
    if sanction.department_id is not None:
        ledger_sync(organisation=sanction.organisation, term=sanction.term, now=now)


@transaction.atomic
def sanction_submit(*, sanction: Sanction, user, now: dt.datetime) -> Sanction:
    """The office, having reviewed a proposed sanction, submits it to the president."""
    sanction = _locked_sanction(sanction)
    if sanction.status != SanctionStatus.PROPOSED:
        raise ValidationError(_("只有待审核的处分可以提交总部长。"))
    if not is_office(user, sanction.organisation):
        raise ValidationError(_("只有本组织的办公室可以审核并提交处分。"))
    sanction.status, sanction.submitted_by, sanction.submitted_at = SanctionStatus.SUBMITTED, user, now
    sanction.save(update_fields=["status", "submitted_by", "submitted_at"])
    return sanction


@transaction.atomic
def sanction_decide(*, sanction: Sanction, confirm: bool, reason: str, user, now: dt.datetime) -> Sanction:
    """The president (总部长) confirms or dismisses a submitted sanction, with a reason. The office may also
    dismiss a proposal it has not submitted (e.g. one whose basis was withdrawn). The order is the rulebook's
    (``Sanction.allowed_acts``): a proposal the office has not submitted cannot be confirmed."""
    sanction = _locked_sanction(sanction)
    president = is_president(user, sanction.organisation)
    if sanction.status in (SanctionStatus.CONFIRMED, SanctionStatus.FILED):
        raise ValidationError(_("这项处分已经确认过了。"))
    if sanction.status not in (SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED):
        raise ValidationError(_("这项处分已经处理完毕。"))
    if confirm and not president:
        raise ValidationError(_("只有本组织的总部长可以确认处分。"))
    if sanction.status == SanctionStatus.PROPOSED and confirm:
        raise ValidationError(_("这项处分还没有经办公室审核提交，总部长不能确认。"))
    if sanction.status == SanctionStatus.PROPOSED and not is_office(user, sanction.organisation):
        raise ValidationError(_("待审核的处分由办公室审核：提交总部长或驳回。"))
    if sanction.status == SanctionStatus.SUBMITTED and not president:
        raise ValidationError(_("已提交的处分由总部长决定。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写理由。")})
    sanction.status = SanctionStatus.CONFIRMED if confirm else SanctionStatus.DISMISSED
    sanction.decided_by, sanction.decided_at, sanction.decision_reason = user, now, reason.strip()[:200]
    sanction.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _resync_if_department(sanction, now)
    return sanction


@transaction.atomic
def sanction_file(*, sanction: Sanction, number: str, on: dt.date, user, now: dt.datetime) -> Sanction:
    """The office files (备案) a confirmed sanction with a number and a date."""
    sanction = _locked_sanction(sanction)
    if sanction.status != SanctionStatus.CONFIRMED:
        raise ValidationError(_("只有已确认的处分可以备案。"))
    if not is_office(user, sanction.organisation):
        raise ValidationError(_("只有本组织的办公室可以备案处分。"))
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("请填写备案编号。")})
    if Sanction.objects.filter(organisation=sanction.organisation, filed_number=number).exists():
        raise ValidationError({"number": _("备案编号已被使用。")})
    if on > local_date(now) or (sanction.decided_at and on < local_date(sanction.decided_at)):
        raise ValidationError({"on": _("备案日期不能早于确认日期，也不能晚于今天。")})
    sanction.status, sanction.filed_number, sanction.filed_on, sanction.filed_by = (
        SanctionStatus.FILED, number, on, user)
    sanction.save(update_fields=["status", "filed_number", "filed_on", "filed_by"])
    return sanction


@transaction.atomic
def sanction_revoke(*, sanction: Sanction, reason: str, user, now: dt.datetime) -> Sanction:
    """Only an explicit act of the president, with a reason, revokes a confirmed or filed sanction."""
    sanction = _locked_sanction(sanction)
    if sanction.status not in (SanctionStatus.CONFIRMED, SanctionStatus.FILED):
        raise ValidationError(_("只有已确认或已备案的处分可以撤销。"))
    if not is_president(user, sanction.organisation):
        raise ValidationError(_("只有本组织的总部长可以撤销处分。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    sanction.status, sanction.revoked_by, sanction.revoked_at = SanctionStatus.REVOKED, user, now
    sanction.revoke_reason = reason.strip()[:200]
    sanction.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason"])
    _resync_if_department(sanction, now)
    return sanction
