"""Writes of the stored ledger: its sync from scratch, when a sync is asked for and run, the ladder's proposals,
and re-scoring an open term under another rulebook version.

``ledger_sync`` is the one way the ledger changes: it computes the term from scratch (scoring.engine) and
stores the difference, so the stored ledger always equals a from-scratch computation and running it twice
changes nothing.

"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from attendance.selectors import facts as attendance_facts
from members.models import Person
from orgs.calendar import local_date
from orgs.models import Department, Organisation, OrganisationKind, Term
from orgs.tenancy import tenant_scope
from scoring import engine, facts
from scoring.engine import Fact
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
from scoring.selectors.rulebooks import (
    DEFAULT_BASE,
    FACT_LABELS,
    LEVEL_LABELS,
    rules_diff,
    settings_diff,
)
from scoring.services.rulebooks import engine_rulebook, term_rulebook_bind


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


#: The sync task, by name: scoring.tasks registers it under this name. Services name a task and never import
#: scoring.tasks, which imports the services (tasks call services, never the reverse).
SYNC_TASK = "scoring.tasks.ledger_sync_requested"


def _send_sync(tenant_id: int, organisation_id: int, term_id: int, now: dt.datetime) -> None:
    with tenant_scope(tenant_id):
        waiting = TermSync.objects.filter(organisation_id=organisation_id, term_id=term_id).filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=now - SYNC_REQUEUE_AFTER))
        if waiting.update(queued_at=now):
            try:
                current_app.signature(SYNC_TASK, args=(tenant_id, organisation_id, term_id)).apply_async(
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


# --- re-scoring an open term under another version ---


def _engine_rulebook(rules) -> engine.Rulebook:
    return engine.Rulebook(
        engine.Rule(id=r.pk, fact=r.fact, outcome=r.outcome, points=r.points, kinds=frozenset(r.kinds),
                    stars_min=r.stars_min, stars_max=r.stars_max, reach=r.reach, term_cap=r.term_cap)
        for r in rules)


def _check_rescore(*, organisation, term, rulebook, now) -> TermRulebook | None:
    """The term's binding, once the re-scoring is known to be allowed."""
    if rulebook.organisation_id != organisation.pk or term.tenant_id != organisation.tenant_id:
        raise ValidationError(_("这份考核细则不属于该组织。"))
    if term.end < local_date(now):
        raise ValidationError(_("%(term)s已经结束，不能重新计分：已结束的学期保留它计分时所用的版本。") % {
            "term": term.name})
    newest = Rulebook.objects.filter(organisation=organisation).order_by("-version").values_list(
        "pk", "version").first()
    if newest[0] != rulebook.pk:
        raise ValidationError(_("只能按最新版本（第 %(n)s 版）重新计分，请重新预览。") % {"n": newest[1]})
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    if bound is not None and bound.rulebook_id == rulebook.pk:
        raise ValidationError(_("%(term)s已按第 %(n)s 版计分，无需重新计分。") % {"term": term.name,
                                                                        "n": rulebook.version})
    return bound


@dataclass
class EntryChange:
    change: str  # "added", "removed", "changed"
    fact: str
    on: dt.date
    old_rule: Rule | None
    new_rule: Rule | None
    old_points: int | None
    new_points: int | None


@dataclass
class PersonChange:
    person: Person
    department: Department | None
    old_score: int
    new_score: int
    changes: list[EntryChange] = field(default_factory=list)
    old_level: str | None = None
    new_level: str | None = None

    @property
    def delta(self) -> int:
        return self.new_score - self.old_score

    @property
    def level_changed(self) -> bool:
        return self.old_level != self.new_level

    @property
    def old_level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.old_level, _("无")))

    @property
    def new_level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.new_level, _("无")))


@dataclass
class RescorePreview:
    organisation: object
    term: object
    current: Rulebook | None
    target: Rulebook
    people: list[PersonChange]
    unchanged: int  # members whose score and entries stay as they are
    rule_changes: list[str]
    settings_changes: list[str]
    entries: list[engine.Entry]  # the ledger re-scoring will store (what the test compares with the stored one)
    added: int = 0
    removed: int = 0
    changed: int = 0


def _describe(refs) -> dict:
    texts = attendance_facts.describe(refs)  # scoring's own fact types get their rule's name below
    for fact_type, key in refs:
        if fact_type == "discretionary":
            texts.setdefault((fact_type, key), str(FACT_LABELS[Fact.DISCRETIONARY]))
        elif fact_type == "sanction":
            texts.setdefault((fact_type, key), str(FACT_LABELS[Fact.DEPARTMENT_WARNING]))
    return texts


def _levels(term_facts, settings: dict) -> dict[int, str]:
    if not settings.get("lates_per_absence") or not settings.get("ladder"):
        return {}
    levels = {}
    for person_id, counts in engine.ladder_counts(term_facts,
                                                  lates_per_absence=settings["lates_per_absence"]).items():
        level, _reasons = engine.ladder_level(counts, ladder=settings["ladder"],
                                              careless_proposes=settings.get("careless_proposes"))
        if level:
            levels[person_id] = level
    return levels


def term_rescore_preview(*, organisation, term, rulebook: Rulebook, now: dt.datetime) -> RescorePreview:
    """What re-scoring the open ``term`` under ``rulebook`` would change, per member: the entries added, removed
    or changed (matched by member, fact and the fact's outcome, since every version has its own rules) and the
    score before and after; also the ladder's level where the settings change it. Both sides are computed with
    the engine as of ``now`` from the same facts; nothing is written. Refused like ``term_rescore``."""
    bound = _check_rescore(organisation=organisation, term=term, rulebook=rulebook, now=now)
    current = bound.rulebook if bound else None
    old_rules = list(Rule.objects.filter(rulebook=current).order_by("position", "pk")) if current else []
    new_rules = list(Rule.objects.filter(rulebook=rulebook).order_by("position", "pk"))
    term_facts = facts.load(organisation_id=organisation.pk, term=term)
    today = local_date(now)
    try:
        new_book = _engine_rulebook(new_rules)
    except ValueError as error:  # not a complete rulebook: never stored by rulebook_edit
        raise ValidationError(_("第 %(n)s 版考核细则不完整，不能用于计分。") % {"n": rulebook.version}) from error
    old_entries = (engine.compute(term_facts, _engine_rulebook(old_rules), as_of=now, today=today)
                   if current else [])
    new_entries = engine.compute(term_facts, new_book, as_of=now, today=today)
    rules = {r.pk: r for r in (*old_rules, *new_rules)}

    def keyed(entries):
        return {(e.person_id, e.fact_type, e.fact_key, rules[e.rule_id].fact, rules[e.rule_id].outcome): e
                for e in entries}

    old, new = keyed(old_entries), keyed(new_entries)
    old_base = (current.settings if current else rulebook.settings).get("base", DEFAULT_BASE)
    new_base = rulebook.settings.get("base", DEFAULT_BASE)
    totals: dict[int, list[int]] = defaultdict(lambda: [old_base, new_base])
    for entry in old_entries:
        totals[entry.person_id][0] += entry.points
    for entry in new_entries:
        totals[entry.person_id][1] += entry.points
    changes: dict[int, list[tuple]] = defaultdict(list)
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], (new.get(k) or old.get(k)).on, k)):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None:
            ra, rb = rules[a.rule_id], rules[b.rule_id]
            if a.points == b.points and (ra.code, ra.clause, ra.label) == (rb.code, rb.clause, rb.label):
                continue
            kind = "changed"
        else:
            kind = "added" if a is None else "removed"
        changes[key[0]].append((kind, key, a, b))
    old_levels = _levels(term_facts, current.settings if current else {})
    new_levels = _levels(term_facts, rulebook.settings)
    people_ids = set(changes) | {pid for pid in set(old_levels) | set(new_levels)
                                 if old_levels.get(pid) != new_levels.get(pid)}
    people_ids |= {pid for pid, (a, b) in totals.items() if a != b}
    posts = {}
    for post in term_facts.posts:  # ordered by id: the newest post of the term wins
        posts[post.person_id] = post.department_id
    people = Person.objects.in_bulk(sorted(people_ids))
    departments = Department.objects.in_bulk({d for d in posts.values() if d})
    texts = _describe({(key[1], key[2]) for items in changes.values() for _k, key, _a, _b in items})
    result = []
    counted = {"added": 0, "removed": 0, "changed": 0}
    for pid in people_ids:
        before, after = totals.get(pid, [old_base, new_base])
        row = PersonChange(person=people[pid], department=departments.get(posts.get(pid)), old_score=before,
                           new_score=after, old_level=old_levels.get(pid), new_level=new_levels.get(pid))
        for kind, key, a, b in changes.get(pid, []):
            counted[kind] += 1
            row.changes.append(EntryChange(
                change=kind, fact=texts.get((key[1], key[2]), ""), on=(b or a).on,
                old_rule=rules[a.rule_id] if a else None, new_rule=rules[b.rule_id] if b else None,
                old_points=a.points if a else None, new_points=b.points if b else None))
        result.append(row)
    result.sort(key=lambda r: (-abs(r.delta), r.person.number, r.person.pk))
    everyone = {p.person_id for p in term_facts.posts} | set(totals)
    return RescorePreview(
        organisation=organisation, term=term, current=current, target=rulebook, people=result,
        unchanged=len(everyone - people_ids), rule_changes=rules_diff(old_rules, new_rules),
        settings_changes=settings_diff(current.settings if current else {}, rulebook.settings),
        entries=new_entries, **counted)


@transaction.atomic
def term_rescore(*, organisation, term, rulebook: Rulebook, now: dt.datetime) -> SyncResult:
    """Re-score an open term under ``rulebook`` (the newest version): rebind the term to it and bring the ledger
    (and the ladder's proposals) up to date with ``ledger_sync``. A closed term is refused: it keeps the version
    it ran under."""
    bound = _check_rescore(organisation=organisation, term=term, rulebook=rulebook, now=now)
    if bound is None:
        TermRulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                    rulebook=rulebook, bound_at=now)
    else:
        TermRulebook.objects.filter(pk=bound.pk).update(rulebook=rulebook, bound_at=now)
    return ledger_sync(organisation=organisation, term=term, now=now)
