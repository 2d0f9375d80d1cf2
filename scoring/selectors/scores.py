"""Reads of scoring, with the user explicit: whose scores a user may see, the organisation's table, and one
member's ledger with every entry explained (SC-15: rule, clause, fact, date).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.selectors import facts as attendance_facts
from members.models import Person, Role
from members.roles import reach
from members.selectors import organisation_posts, person_organisation_ids
from orgs.models import Department, Organisation, OrganisationKind, Term
from scoring import engine
from scoring.models import (
    DiscretionaryEntry,
    IncidentKind,
    LedgerEntry,
    MemberScore,
    Sanction,
    TermSync,
)
from scoring.selectors.rulebooks import DEFAULT_BASE, rulebook_settings


def scored_organisations(user):
    """Alliance organisations whose scores the user may open, each with the departments they are limited to
    (None: all of it). Office, presidium and the school's admin see all; a department head their department.
    Built once per request (cached on the user, like its grants): the permission and the page both ask."""
    cached = getattr(user, "_scored_organisations_cache", None)
    if cached is not None:
        return cached
    everything = reach(user, Role.TENANT_ADMIN).school
    whole = set(reach(user, Role.OFFICE, Role.PRESIDENT).organisations)
    departments = reach(user, Role.DEPARTMENT_HEAD).departments
    organisations = Organisation.objects.filter(kind=OrganisationKind.ALLIANCE)
    limits = {}
    if not everything:
        head_orgs = dict(Department.objects.filter(pk__in=departments).values_list("pk", "organisation_id")) \
            if departments else {}
        organisations = organisations.filter(pk__in=whole | set(head_orgs.values()))
        for dept_id, org_id in head_orgs.items():
            if org_id not in whole:
                limits.setdefault(org_id, set()).add(dept_id)
    user._scored_organisations_cache = (organisations.order_by("name"), limits)
    return user._scored_organisations_cache


def term_choice(*, tenant, term_id=None, today: dt.date) -> Term | None:
    terms = Term.objects.filter(tenant=tenant)
    if term_id:
        return terms.filter(pk=term_id).first()
    return terms.filter(start__lte=today, end__gte=today).first() or terms.filter(start__lte=today).order_by(
        "-start").first()


@dataclass
class ScoreRow:
    person: Person
    department: Department | None
    cadre: bool
    total: int
    entries: int
    ladder: "LadderRow | None" = None


@dataclass
class OrganisationTable:
    organisation: Organisation
    term: Term
    base: int
    rows: list[ScoreRow]
    departments: list = field(default_factory=list)  # (department, members, mean score)
    bonuses: list = field(default_factory=list)  # (month "2026-10", people)
    updating: bool = False  # a change is still being counted (docs/scoring.md)


def _posts(*, organisation, term, departments: set[int] | None, person_id: int | None = None) -> dict:
    """{person id: (department id, cadre)}: each member's last post of the organisation in the term."""
    posts = {}
    for pid, department_id, cadre, _start, _end in organisation_posts(
            organisation_id=organisation.pk, start=term.start, end=term.end, person_id=person_id):
        posts[pid] = (department_id, cadre)  # ordered by id: the newest membership wins
    if departments is not None:
        posts = {pid: post for pid, post in posts.items() if post[0] in departments}
    return posts


#: MemberScore's columns the pages read, in this order (``_stored_row``).
SCORE_COLUMNS = ("person_id", "points", "entries", *MemberScore.COUNT_FIELDS, "incidents")


def _stored_row(values) -> tuple[int, int, engine.Counts | None]:
    """(points, entries, ladder counts or None when nothing was counted) of a row of ``SCORE_COLUMNS``."""
    _pid, points, entries, *numbers, incidents = values
    if not (any(numbers) or incidents):
        return points, entries, None
    return points, entries, engine.Counts(**dict(zip(MemberScore.COUNT_FIELDS, numbers, strict=True)),
                                          incidents=dict(incidents))


def _score_rows(*, organisation, term, posts: dict, settings: dict) -> list[ScoreRow]:
    """The members' rows from the totals and counts the ledger sync stored (``MemberScore``). Three queries."""
    stored = MemberScore.objects.filter(organisation=organisation, term=term)
    if len(posts) == 1:
        stored = stored.filter(person_id__in=list(posts))
    scores = {values[0]: _stored_row(values) for values in stored.values_list(*SCORE_COLUMNS) if values[0] in posts}
    people = Person.objects.in_bulk(list(posts))
    depts = Department.objects.in_bulk([d for d, _c in posts.values() if d])
    base = settings.get("base", DEFAULT_BASE)
    rows = []
    for pid, (dept_id, cadre) in posts.items():
        points, entries, counts = scores.get(pid, (0, 0, None))
        row = ScoreRow(person=people[pid], department=depts.get(dept_id), cadre=cadre, total=base + points,
                       entries=entries)
        row.ladder = _ladder_row(counts, settings) if counts else None
        rows.append(row)
    return rows


def organisation_table(*, organisation, term, departments: set[int] | None = None) -> OrganisationTable:
    """Everyone who held a post in the organisation during the term (their last post of it), with their term
    score, best first; department means; the full-attendance bonuses per month; whether changes are still being
    counted. Reads what the ledger sync stored (``MemberScore``), never the term's facts: seven queries whatever
    the size."""
    posts = _posts(organisation=organisation, term=term, departments=departments)
    settings = rulebook_settings(organisation=organisation, term=term)
    rows = _score_rows(organisation=organisation, term=term, posts=posts, settings=settings)
    rows.sort(key=lambda r: (-r.total, r.person.number))
    table = OrganisationTable(organisation=organisation, term=term, base=settings.get("base", DEFAULT_BASE),
                              rows=rows, updating=sync_pending(organisation=organisation, term=term))
    per_department: dict = {}
    for row in rows:
        per_department.setdefault(row.department, []).append(row.total)
    table.departments = sorted(
        ((dept, len(totals), round(sum(totals) / len(totals), 1)) for dept, totals in per_department.items()),
        key=lambda d: (d[0] is None, (d[0].order, d[0].name) if d[0] else (0, "")))
    months = LedgerEntry.objects.filter(organisation=organisation, term=term, fact_type="month")
    if departments is not None:  # a department head's: their members' bonuses only
        months = months.filter(person_id__in=list(posts))
    table.bonuses = sorted(months.values("fact_key").annotate(n=Count("pk")).values_list("fact_key", "n"))
    return table


def organisation_row(*, organisation, term, person_id: int, departments: set[int] | None = None,
                     settings: dict | None = None) -> ScoreRow | None:
    """One member's row of ``organisation_table`` (None: no post in the organisation that term, or outside the
    departments), without reading anyone else's."""
    posts = _posts(organisation=organisation, term=term, departments=departments, person_id=person_id)
    if not posts:
        return None
    settings = settings or rulebook_settings(organisation=organisation, term=term)
    return _score_rows(organisation=organisation, term=term, posts=posts, settings=settings)[0]


def sync_pending(*, organisation, term) -> bool:
    """Whether a change of the term's facts has not been counted yet (its sync is queued or running)."""
    return TermSync.objects.filter(organisation=organisation, term=term, synced__lt=F("requested")).exists()


@dataclass
class Explained:
    entry: LedgerEntry
    fact: str


def describe_facts(refs) -> dict[tuple[str, str], str]:
    """A short description of each fact ledger entries name: attendance's, then scoring's own."""
    texts = attendance_facts.describe(refs)
    texts.update(describe_own_facts(refs))
    return texts


# --- the ledger's descriptions of scoring's own facts (SC-15) ---

#: Ledger fact types that are scoring's own rows, not attendance's (attendance.selectors.facts.describe).
OWN_FACT_TYPES = ("discretionary", "sanction")


def describe_own_facts(refs) -> dict[tuple[str, str], str]:
    """A short Chinese description of the discretionary entries and department warnings a ledger names:
    ``{(fact type, key): text}``; one query per fact type present."""
    wanted: dict[str, set[int]] = {}
    for fact_type, key in refs:
        if fact_type in OWN_FACT_TYPES and key.isdigit():
            wanted.setdefault(fact_type, set()).add(int(key))
    texts = {}
    if wanted.get("discretionary"):
        for entry in DiscretionaryEntry.objects.filter(pk__in=wanted["discretionary"]).select_related(
                "department"):
            if entry.department_id:
                text = _("酌情加减分（%(department)s）：%(reason)s") % {"department": entry.department.name,
                                                                   "reason": entry.reason}
            else:
                text = _("酌情加减分：%(reason)s") % {"reason": entry.reason}
            texts["discretionary", str(entry.pk)] = text
    if wanted.get("sanction"):
        for sanction in Sanction.objects.filter(pk__in=wanted["sanction"]).select_related("department"):
            texts["sanction", str(sanction.pk)] = _("%(department)s受到部门警告") % {
                "department": sanction.department.name if sanction.department_id else ""}
    return texts


def member_ledger(*, person, organisation, term, settings: dict | None = None) -> tuple[int, list[Explained]]:
    """(term score, each entry with its rule and a description of its fact), in date order. Three queries."""
    entries = list(LedgerEntry.objects.filter(organisation=organisation, term=term, person=person)
                   .select_related("rule").order_by("on", "rule__position", "pk"))
    texts = describe_facts({(e.fact_type, e.fact_key) for e in entries})
    base = (settings or rulebook_settings(organisation=organisation, term=term)).get("base", DEFAULT_BASE)
    return base + sum(e.points for e in entries), [
        Explained(entry=e, fact=texts.get((e.fact_type, e.fact_key), "")) for e in entries]


def own_organisations(*, person, term) -> list[Organisation]:
    """The alliance organisations in which the person held a post during the term: where they have a score."""
    ids = person_organisation_ids(person=person, start=term.start, end=term.end, kind=OrganisationKind.ALLIANCE)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


# --- the ladder (SC-10): a member's counts against its thresholds ---


def describe_reason(criterion: str, count: int, threshold: int) -> str:
    """One ladder criterion in words: "迟到 3 次（达到 3 次）"."""
    if criterion.startswith("incident:"):
        what = IncidentKind(criterion.split(":", 1)[1]).label
    else:
        what = {"lates": _("迟到"), "absences": _("旷会（含迟到折算）"), "minutes_not_taken": _("未做会议记录"),
                "careless": _("工作马虎")}[criterion]
    return _("%(what)s %(count)s 次（%(threshold)s 次即达到）") % {"what": what, "count": count,
                                                              "threshold": threshold}


#: What the scores page says of the level a member's counts reach.
REACHED = {"warning": gettext_lazy("达警告"), "demerit": gettext_lazy("达记过"), "dismissal": gettext_lazy("达劝退")}


@dataclass
class LadderRow:
    counts: engine.Counts
    level: str | None
    reasons: list
    near: list  # (level, criterion, count, threshold) one step from the next level
    counted: bool = True  # False: nothing of the member is counted yet (all zero)

    def __bool__(self) -> bool:
        return self.counted

    @property
    def reached(self) -> str:
        return REACHED.get(self.level, "")


def member_ladder(*, organisation, term, person, settings: dict | None = None) -> LadderRow:
    """One member's ladder counts, the level they reach and what is one step away, as the ledger sync stored them
    (``MemberScore``): what a member's page shows. Nothing counted yet: all zero, and false in a template's
    ``if``. Two queries (three before the term is first scored)."""
    values = MemberScore.objects.filter(organisation=organisation, term=term, person=person).values_list(
        *SCORE_COLUMNS).first()
    counts = _stored_row(values)[2] if values else None
    if not counts:
        return LadderRow(counts=engine.Counts(), level=None, reasons=[], near=[], counted=False)
    return _ladder_row(counts, settings or rulebook_settings(organisation=organisation, term=term))


def _ladder_row(counts: engine.Counts, settings: dict) -> LadderRow:
    level, reasons = engine.ladder_level(counts, ladder=settings["ladder"],
                                         careless_proposes=settings.get("careless_proposes"))
    return LadderRow(counts=counts, level=level, reasons=reasons,
                     near=engine.one_step_away(counts, ladder=settings["ladder"], level=level))
