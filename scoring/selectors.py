"""Reads of scoring, with the user explicit: whose scores a user may see, the organisation's table, and one
member's ledger with every entry explained (SC-15: rule, clause, fact, date)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from attendance.selectors import facts as attendance_facts
from members.models import Person, Role
from members.roles import grants
from members.selectors import organisation_posts, person_organisation_ids
from orgs.models import Department, Organisation, OrganisationKind, Term
from scoring.models import LedgerEntry, Rulebook, TermRulebook

#: The base of every term score (第一条); a rulebook may set another.
DEFAULT_BASE = 70


def scored_organisations(user):
    """Alliance organisations whose scores the user may open, each with the departments they are limited to
    (None: all of it). Office, presidium and the school's admin see all; a department head their department."""
    everything, whole, departments = False, set(), set()
    for g in grants(user):
        if g.role == Role.TENANT_ADMIN:
            everything = True
        elif g.role in (Role.OFFICE, Role.PRESIDENT):
            whole.add(g.organisation_id)
        elif g.role == Role.DEPARTMENT_HEAD:
            departments.add(g.department_id)
    organisations = Organisation.objects.filter(kind=OrganisationKind.ALLIANCE)
    if not everything:
        head_orgs = Department.objects.filter(pk__in=departments).values("organisation_id")
        organisations = organisations.filter(pk__in=whole) | organisations.filter(pk__in=head_orgs)
    limits = {}
    if departments and not everything:
        for dept_id, org_id in Department.objects.filter(pk__in=departments).values_list("pk", "organisation_id"):
            if org_id not in whole:
                limits.setdefault(org_id, set()).add(dept_id)
    return organisations.order_by("name"), limits


def term_choice(*, tenant, term_id=None, today: dt.date) -> Term | None:
    terms = Term.objects.filter(tenant=tenant)
    if term_id:
        return terms.filter(pk=term_id).first()
    return terms.filter(start__lte=today, end__gte=today).first() or terms.filter(start__lte=today).order_by(
        "-start").first()


def base_of(*, organisation, term) -> int:
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    rulebook = bound.rulebook if bound else Rulebook.objects.filter(organisation=organisation).order_by(
        "-version").first()
    return (rulebook.settings.get("base", DEFAULT_BASE) if rulebook else DEFAULT_BASE)


@dataclass
class ScoreRow:
    person: Person
    department: Department | None
    cadre: bool
    total: int
    entries: int


@dataclass
class OrganisationTable:
    organisation: Organisation
    term: Term
    base: int
    rows: list[ScoreRow]
    departments: list = field(default_factory=list)  # (department, members, mean score)
    bonuses: list = field(default_factory=list)  # (month "2026-10", people)


def organisation_table(*, organisation, term, departments: set[int] | None = None) -> OrganisationTable:
    """Everyone who held a post in the organisation during the term (their last post of it), with their term
    score, best first; department means; the full-attendance bonuses per month. Five queries."""
    posts = {}
    for person_id, department_id, cadre, _start, _end in organisation_posts(
            organisation_id=organisation.pk, start=term.start, end=term.end):
        posts[person_id] = (department_id, cadre)  # ordered by id: the newest membership wins
    if departments is not None:
        posts = {pid: post for pid, post in posts.items() if post[0] in departments}
    ledger = LedgerEntry.objects.filter(organisation=organisation, term=term, person_id__in=list(posts))
    sums = {pid: (total, n) for pid, total, n in ledger.values("person_id").annotate(
        total=Sum("points"), n=Count("pk")).values_list("person_id", "total", "n")}
    people = Person.objects.in_bulk(list(posts))
    depts = Department.objects.in_bulk([d for d, _c in posts.values() if d])
    base = base_of(organisation=organisation, term=term)
    rows = []
    for pid, (dept_id, cadre) in posts.items():
        total, n = sums.get(pid, (0, 0))
        rows.append(ScoreRow(person=people[pid], department=depts.get(dept_id), cadre=cadre, total=base + total,
                             entries=n))
    rows.sort(key=lambda r: (-r.total, r.person.number))
    table = OrganisationTable(organisation=organisation, term=term, base=base, rows=rows)
    per_department: dict = {}
    for row in rows:
        per_department.setdefault(row.department, []).append(row.total)
    table.departments = sorted(
        ((dept, len(totals), round(sum(totals) / len(totals), 1)) for dept, totals in per_department.items()),
        key=lambda d: (d[0] is None, (d[0].order, d[0].name) if d[0] else (0, "")))
    bonuses: dict[str, int] = {}
    for key in ledger.filter(fact_type="month").values_list("fact_key", flat=True):
        bonuses[key] = bonuses.get(key, 0) + 1
    table.bonuses = sorted(bonuses.items())
    return table


@dataclass
class Explained:
    entry: LedgerEntry
    fact: str


def member_ledger(*, person, organisation, term) -> tuple[int, list[Explained]]:
    """(term score, each entry with its rule and a description of its fact), in date order. Three queries."""
    entries = list(LedgerEntry.objects.filter(organisation=organisation, term=term, person=person)
                   .select_related("rule").order_by("on", "rule__position", "pk"))
    texts = attendance_facts.describe({(e.fact_type, e.fact_key) for e in entries})
    base = base_of(organisation=organisation, term=term)
    return base + sum(e.points for e in entries), [
        Explained(entry=e, fact=texts.get((e.fact_type, e.fact_key), "")) for e in entries]


def own_organisations(*, person, term) -> list[Organisation]:
    """The alliance organisations in which the person held a post during the term: where they have a score."""
    ids = person_organisation_ids(person=person, start=term.start, end=term.end, kind=OrganisationKind.ALLIANCE)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))
