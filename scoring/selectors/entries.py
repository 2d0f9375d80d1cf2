"""Reads of incidents (SC-11, SC-14) and discretionary entries (SC-9), with the user explicit.

Who sees them is who sees the organisation's scores (``scoring.selectors.scored_organisations``): the office,
the presidium and the school's admin all of it; a department head only what concerns their department — its
members (who held a post of it during the term) and the department itself. Every list is a constant number
of queries whatever its length.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from members.models import Person, Role
from members.selectors import organisation_posts, organisation_role_holders
from orgs.calendar import local_date
from orgs.models import Department
from scoring.defaults import default_rules
from scoring.engine import Fact
from scoring.models import (
    ApprovalStatus,
    Approver,
    DiscretionaryEntry,
    DiscretionaryVote,
    Incident,
    Rule,
    Rulebook,
    TermRulebook,
)
from scoring.selectors.scores import scored_organisations

#: Filters of the discretionary list: status → the rows it keeps.
STATUS_FILTERS = {
    "pending": Q(approval=ApprovalStatus.PENDING),
    "approved": Q(approval=ApprovalStatus.APPROVED),
    "refused": Q(approval=ApprovalStatus.REFUSED),
    "revoked": Q(approval=ApprovalStatus.REVOKED),
    "deduction": Q(approval=""),
}
#: Filters of the incident list: target → the rows it keeps.
TARGET_FILTERS = {"person": Q(person__isnull=False), "department": Q(department__isnull=False)}


# --- who may see what ---


def entries_scope(user, organisation) -> set[int] | None:
    """The departments the user is limited to in the organisation (None: all of it)."""
    return scored_organisations(user)[1].get(organisation.pk)


def department_person_ids(*, organisation, start, end, departments) -> set[int]:
    """Who held a post of one of ``departments`` at some time in ``start``…``end``."""
    return {person for person, department, _cadre, _s, _e in organisation_posts(
        organisation_id=organisation.pk, start=start, end=end) if department in departments}


def _narrow(rows: QuerySet, *, organisation, start, end, departments: set[int] | None) -> QuerySet:
    if departments is None:
        return rows
    people = department_person_ids(organisation=organisation, start=start, end=end, departments=departments)
    return rows.filter(Q(department_id__in=departments) | Q(person_id__in=people))


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Incidents of the organisations whose scores the user sees (a head's narrowing: ``row_within``)."""
    return Incident.objects.filter(organisation__in=scored_organisations(user)[0]).select_related(
        "organisation", "person", "department")


def discretionary_visible_to(user) -> QuerySet[DiscretionaryEntry]:
    return DiscretionaryEntry.objects.filter(organisation__in=scored_organisations(user)[0]).select_related(
        "organisation", "term", "rule", "person", "department")


def row_within(row, *, departments: set[int] | None, start, end) -> bool:
    """Whether an incident or an entry concerns one of ``departments`` (None: no limit)."""
    if departments is None:
        return True
    if row.department_id is not None:
        return row.department_id in departments
    return row.person_id in department_person_ids(organisation=row.organisation, start=start, end=end,
                                                  departments=departments)


# --- the people and departments of the forms ---


@dataclass
class Member:
    person: Person
    department: Department | None


def term_members(*, organisation, term) -> list[Member]:
    """Everyone who held a post of the organisation during the term (their last post of it), by department
    and name. Three queries."""
    posts = {}
    for person_id, department_id, _cadre, _start, _end in organisation_posts(
            organisation_id=organisation.pk, start=term.start, end=term.end):
        posts[person_id] = department_id  # ordered by id: the newest membership wins
    people = Person.objects.in_bulk(list(posts))
    departments = Department.objects.in_bulk([d for d in posts.values() if d])
    members = [Member(person=people[pk], department=departments.get(dept)) for pk, dept in posts.items()]
    members.sort(key=lambda m: ((m.department.order, m.department.name) if m.department else (999, ""),
                                m.person.name, m.person.number))
    return members


def organisation_departments(*, organisation) -> QuerySet[Department]:
    return Department.objects.filter(organisation=organisation).order_by("order", "name")


# --- incidents ---


def incident_list(*, organisation, term, departments: set[int] | None = None, target: str | None = None
                  ) -> QuerySet[Incident]:
    """The organisation's incidents dated in the term, newest first, with who they concern and who recorded
    them."""
    rows = Incident.objects.filter(organisation=organisation, on__gte=term.start, on__lte=term.end)
    rows = _narrow(rows, organisation=organisation, start=term.start, end=term.end, departments=departments)
    if target in TARGET_FILTERS:
        rows = rows.filter(TARGET_FILTERS[target])
    return rows.select_related("person", "department", "recorded_by__person").order_by("-on", "-pk")


def incident_counts(*, organisation, term, departments: set[int] | None = None) -> dict[str, int]:
    """{"all", "person", "department": how many incidents of the term}. One query (two for a head)."""
    rows = _narrow(Incident.objects.filter(organisation=organisation, on__gte=term.start, on__lte=term.end),
                   organisation=organisation, start=term.start, end=term.end, departments=departments)
    counts = rows.aggregate(all=Count("pk"), person=Count("pk", filter=TARGET_FILTERS["person"]),
                            department=Count("pk", filter=TARGET_FILTERS["department"]))
    return counts


# --- discretionary entries ---


def discretionary_rules(*, organisation, term) -> list[Rule]:
    """The discretionary rules an entry of the term would use: the version the term is bound to, else the
    newest version (the one the first entry will bind it to), else SPEC's defaults (unsaved)."""
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    rulebook = bound.rulebook if bound else Rulebook.objects.filter(organisation=organisation).order_by(
        "-version").first()
    if rulebook is None:
        return [Rule(**row) for row in default_rules() if row["fact"] == Fact.DISCRETIONARY]
    return list(Rule.objects.filter(rulebook=rulebook, fact=Fact.DISCRETIONARY).order_by("position", "pk"))


def discretionary_list(*, organisation, term, departments: set[int] | None = None, status: str | None = None
                       ) -> QuerySet[DiscretionaryEntry]:
    """The organisation's discretionary entries of the term, newest first, with their rule, whom they concern,
    who entered and who decided them."""
    rows = DiscretionaryEntry.objects.filter(organisation=organisation, term=term)
    rows = _narrow(rows, organisation=organisation, start=term.start, end=term.end, departments=departments)
    if status in STATUS_FILTERS:
        rows = rows.filter(STATUS_FILTERS[status])
    return rows.select_related("rule", "person", "department", "entered_by__person", "decided_by__person",
                               "revoked_by__person").order_by("-on", "-pk")


def discretionary_pending(*, organisation, term=None, departments: set[int] | None = None
                          ) -> QuerySet[DiscretionaryEntry]:
    """Positive entries waiting for the president (or the presidium), oldest first, with the presidium's says so
    far: of every term (a past term's too, it still waits), narrowed to the term's department members for a
    head."""
    rows = DiscretionaryEntry.objects.filter(organisation=organisation, approval=ApprovalStatus.PENDING)
    if departments is not None and term is not None:
        rows = _narrow(rows, organisation=organisation, start=term.start, end=term.end, departments=departments)
    elif departments is not None:
        rows = rows.filter(department_id__in=departments)
    return rows.select_related("term", "rule", "person", "department", "entered_by__person").prefetch_related(
        Prefetch("votes", queryset=DiscretionaryVote.objects.select_related("user__person").order_by("at", "pk"))
    ).order_by("entered_at", "pk")


def term_approvers(*, organisation, term_ids) -> dict[int, str]:
    """{term id: who approves its positive entries (``Approver``)}: the setting of the version each term is
    bound to, else of the newest version (as ``scoring.selectors.term_rulebook``), else SPEC's default (the
    president). Two queries."""
    bound = dict(TermRulebook.objects.filter(organisation=organisation, term_id__in=list(term_ids)).values_list(
        "term_id", "rulebook__settings"))
    newest = Rulebook.objects.filter(organisation=organisation).order_by("-version").values_list(
        "settings", flat=True).first() or {}
    return {term_id: bound.get(term_id, newest).get("discretionary_approval", Approver.PRESIDENT)
            for term_id in term_ids}


def term_approver(*, organisation, term) -> str:
    """Who approves the term's positive entries (``Approver``)."""
    return term_approvers(organisation=organisation, term_ids=[term.pk])[term.pk]


def presidium(*, organisation, now) -> list:
    """The accounts of the organisation's presidium today (who hold its 主席团/总部长 role), with their person."""
    return organisation_role_holders(organisation_id=organisation.pk, role=Role.PRESIDENT, on=local_date(now))
