"""Load an organisation's term from the database into the engine's values (scoring.engine.Facts).

Reads attendance and members through their selectors (never their models), and scoring's own incidents,
discretionary entries and department warnings: fifteen queries at most, whatever the size.

``load`` is the whole term, for the ledger and for everyone's ladder. The pages never load it: they read what
the ledger sync stored (``LedgerEntry``, ``MemberScore``).
"""

from django.db.models import Q

from attendance.selectors import facts as source
from members.selectors import organisation_posts
from orgs.calendar import local_date
from scoring import engine
from scoring.models import ApprovalStatus, DiscretionaryEntry, Incident, Sanction, SanctionStatus


def load(*, organisation_id: int, term) -> engine.Facts:
    sessions = _sessions(organisation_id=organisation_id, term=term)
    on = {pk: session.on for pk, session in sessions.items()}
    ids = list(sessions)
    # Each table is read only for the kinds of session it can belong to (an empty list asks the database nothing).
    plenaries = [pk for pk, s in sessions.items() if s.kind == "plenary"]
    activities = [pk for pk, s in sessions.items() if s.kind == "activity"]
    facts = engine.Facts(
        posts=_posts(organisation_id=organisation_id, term=term),
        sessions=sessions,
        # (id, person, session, status): engine.Mark's shape. Present marks only as who was expected when.
        marks=source.term_marks(session_ids=ids, every_mark_of=activities),
        expected=_expected(sessions),
        tasks=[engine.Task(assignment_id=pk, task_id=task, person_id=person, deadline=deadline,
                           acknowledged_at=acknowledged, submitted_at=submitted, grade=grade,
                           deadline_on=local_date(deadline), submitted_on=submitted and local_date(submitted))
               for pk, task, person, deadline, acknowledged, submitted, grade
               in source.term_task_assignments(organisation_id=organisation_id, term=term)],
        minutes=_minutes(sessions),
        plenary_orders=[engine.DepartmentGrade(id=pk, department_id=dept, outcome=order, on=on[meeting])
                        for pk, meeting, dept, order in source.term_plenary_orders(session_ids=plenaries)],
        disruptions=[engine.PersonOutcome(id=pk, person_id=person, outcome="disruptive", on=on[meeting])
                     for pk, meeting, person in source.term_disruptions(session_ids=plenaries)],
        proposals=[engine.Proposal(id=pk, person_id=person, novel=novel, adopted=adopted, on=on[meeting])
                   for pk, meeting, person, novel, adopted in source.term_proposals(session_ids=activities)],
        activity_grades=[engine.ActivityGrade(meeting_id=meeting, grade=grade, on=on[meeting])
                         for meeting, grade in source.term_activity_reports(session_ids=activities)],
        coordinations=[engine.DepartmentGrade(id=pk, department_id=dept, outcome=grade, on=on[meeting])
                       for pk, meeting, dept, grade in source.term_coordinations(session_ids=activities)],
    )
    _load_own(facts, organisation_id=organisation_id, term=term)
    for pk, meeting, person, outstanding, concise in source.term_performances(session_ids=activities):
        for outcome, holds in (("outstanding", outstanding), ("concise_summary", concise)):
            if holds:
                facts.performances.append(engine.PersonOutcome(id=pk, person_id=person, outcome=outcome,
                                                               on=on[meeting]))
    return facts


def _sessions(*, organisation_id: int, term) -> dict[int, engine.Session]:
    return {pk: engine.Session(pk, kind, stars, local_date(starts_at))
            for pk, kind, stars, starts_at in source.term_sessions(organisation_id=organisation_id, term=term)}


def _posts(*, organisation_id: int, term) -> list[engine.Post]:
    return [engine.Post(person_id=p, department_id=d, cadre=c, start=s, end=e)
            for p, d, c, s, e in organisation_posts(organisation_id=organisation_id, start=term.start, end=term.end)]


def _minutes(sessions: dict[int, engine.Session]) -> list[engine.Minutes]:
    """The minutes of the sessions that have them."""
    with_minutes = [pk for pk, s in sessions.items() if s.kind in ("department", "plenary", "other")]
    return [engine.Minutes(id=pk, taker_id=taker, taken=taken, grade=grade, on=sessions[meeting].on)
            for pk, meeting, taker, taken, grade in source.term_minutes(session_ids=with_minutes)]


def _expected(sessions: dict[int, engine.Session]) -> list[engine.Expected]:
    """Who was expected at a session of each kind in each month: a few hundred rows where the marks are tens of
    thousands."""
    groups: dict[tuple[int, int, str], list[int]] = {}
    for pk, session in sessions.items():
        groups.setdefault((session.on.year, session.on.month, session.kind), []).append(pk)
    keys = list(groups)
    return [engine.Expected(person_id, *keys[group]) for person_id, group in source.term_expected(
        session_groups={i: groups[key] for i, key in enumerate(keys)})]


def _load_own(facts: engine.Facts, *, organisation_id: int, term) -> None:
    """Scoring's own facts: discretionary entries that count, incidents, confirmed department warnings."""
    facts.discretionary = _discretionary(organisation_id=organisation_id, term=term)
    facts.incidents = _incidents(organisation_id=organisation_id, term=term)
    for pk, dept, decided_at in Sanction.objects.filter(
            organisation_id=organisation_id, term=term, department__isnull=False,
            status__in=[SanctionStatus.CONFIRMED, SanctionStatus.FILED]).order_by("pk").values_list(
            "pk", "department_id", "decided_at"):
        facts.department_warnings.append(engine.DepartmentGrade(id=pk, department_id=dept, outcome="confirmed",
                                                                on=local_date(decided_at)))


def _discretionary(*, organisation_id: int, term) -> list[engine.Discretionary]:
    """The term's discretionary entries that count (a deduction, or approved)."""
    entries = DiscretionaryEntry.objects.filter(organisation_id=organisation_id, term=term).filter(
        Q(points__lt=0) | Q(approval=ApprovalStatus.APPROVED))
    return [engine.Discretionary(id=pk, outcome=outcome, points=points, person_id=person, department_id=dept, on=on)
            for pk, outcome, points, person, dept, on in entries.order_by("pk").values_list(
                "pk", "rule__outcome", "points", "person_id", "department_id", "on")]


def _incidents(*, organisation_id: int, term) -> list[engine.Incident]:
    """The incidents of the term's dates, members' and departments'."""
    incidents = Incident.objects.filter(organisation_id=organisation_id, on__gte=term.start, on__lte=term.end)
    return [engine.Incident(id=pk, kind=kind, person_id=person, department_id=dept, on=on)
            for pk, kind, person, dept, on in incidents.order_by("pk").values_list(
                "pk", "kind", "person_id", "department_id", "on")]
