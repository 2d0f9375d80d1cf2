"""The rules engine: facts and an as-of moment in, ledger entries out (SPEC SC-1 … SC-8, DESIGN "The rules engine").

Pure functions over plain, frozen values: no database, no clock, no translation. ``scoring.facts`` loads the
values from the database; ``scoring.services`` stores the difference between what this computes and what is
stored. The same facts, rules and moment always give the same entries, in the same order.

Every rule matches one *fact* kind and one *outcome* of it (for attendance marks, also a set of session kinds
and a star range). A rulebook is valid when every cell of every fact's outcome space is matched by exactly one
rule (``coverage_problems``): so each fact yields at most one entry per outcome, and "which rule applied" always
has one answer. A rule with 0 points is a real rule ("early leave at another meeting: 0").

An entry is keyed by (person, rule, fact type, fact key): the fact type names a table of the attendance app
(``attendance`` for a mark, ``task_assignment``, ``minutes``, …) or a period (``month`` for the full-attendance
bonus) and the key is that row's id or the period (``2026-11``).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

# --- the vocabulary ---

#: Session kinds (attendance.models.MeetingKind values).
KINDS = ("department", "plenary", "other", "duty", "activity")
STARS = (1, 2, 3, 4, 5)
GRADES = ("excellent", "good", "average", "poor")
#: Marks that carry points; present and unmarked carry none.
MARK_STATUSES = ("late", "early_leave", "leave", "absent")
#: Marks that count as having taken part in an activity.
PARTICIPATED = ("present", "late", "early_leave")


class Fact:
    """The kinds of fact a rule can match, and each one's outcomes."""

    MARK = "mark"
    FULL_ATTENDANCE = "full_attendance"
    TASK_TIMELINESS = "task_timeliness"
    TASK_QUALITY = "task_quality"
    MINUTES = "minutes"
    PLENARY_ORDER = "plenary_order"
    PLENARY_DISRUPTION = "plenary_disruption"
    ACTIVITY_PARTICIPATION = "activity_participation"
    ACTIVITY_GRADE = "activity_grade"
    ACTIVITY_PERFORMANCE = "activity_performance"
    ACTIVITY_PROPOSAL = "activity_proposal"
    ACTIVITY_COORDINATION = "activity_coordination"
    DISCRETIONARY = "discretionary"
    DEPARTMENT_WARNING = "department_warning"


#: SC-9: the kinds of discretionary entry; the office enters the points within the rule's range.
DISCRETIONARY_KINDS = ("outstanding_department", "helping", "outstanding_activity", "adopted_proposal",
                       "major_error", "late_task", "careless")

OUTCOMES: dict[str, tuple[str, ...]] = {
    Fact.MARK: MARK_STATUSES,
    Fact.FULL_ATTENDANCE: ("full",),
    Fact.TASK_TIMELINESS: ("first_on_time", "on_time", "late", "missing_acknowledged", "missing_unacknowledged"),
    Fact.TASK_QUALITY: GRADES,
    Fact.MINUTES: ("not_taken", *GRADES),
    Fact.PLENARY_ORDER: ("orderly", "ordinary", "noisy"),
    Fact.PLENARY_DISRUPTION: ("disruptive",),
    Fact.ACTIVITY_PARTICIPATION: ("participated",),
    Fact.ACTIVITY_GRADE: GRADES,
    Fact.ACTIVITY_PERFORMANCE: ("outstanding", "concise_summary"),
    Fact.ACTIVITY_PROPOSAL: ("submitted", "novel", "adopted"),
    Fact.ACTIVITY_COORDINATION: ("good", "ordinary", "chaotic"),
    Fact.DISCRETIONARY: DISCRETIONARY_KINDS,
    Fact.DEPARTMENT_WARNING: ("confirmed",),
}


class Reach:
    """Whom a rule's points reach: the person of the fact, or a department's officers or all its members."""

    PERSON = "person"
    DEPARTMENT_OFFICERS = "department_officers"
    DEPARTMENT_MEMBERS = "department_members"


# --- the values ---


@dataclass(frozen=True)
class Rule:
    id: int
    fact: str
    outcome: str
    points: int
    kinds: frozenset = frozenset()  # MARK: the session kinds it matches; FULL_ATTENDANCE: the kinds that count
    stars_min: int = 1
    stars_max: int = 5
    reach: str = Reach.PERSON
    term_cap: int | None = None  # the most this rule may add up to in a term (participation: +5)


@dataclass(frozen=True)
class Post:
    """A membership: who held which kind of post in which department, from when to when (end None: current)."""

    person_id: int
    department_id: int | None
    cadre: bool
    start: dt.date
    end: dt.date | None


class Session(NamedTuple):
    """A session (meeting, duty shift, activity) that was not cancelled: its kind, stars and school-local date."""

    id: int
    kind: str
    stars: int
    on: dt.date


class Mark(NamedTuple):
    """One expected attendee's mark. A tuple, as the database gives it: a term holds tens of thousands."""

    id: int
    person_id: int
    meeting_id: int
    status: str


@dataclass(frozen=True)
class Task:
    assignment_id: int
    task_id: int
    person_id: int
    deadline: dt.datetime
    acknowledged_at: dt.datetime | None
    submitted_at: dt.datetime | None
    grade: str
    deadline_on: dt.date  # the school-local dates of the deadline and of the submission
    submitted_on: dt.date | None = None


@dataclass(frozen=True)
class Minutes:
    id: int
    taker_id: int
    taken: bool
    grade: str
    on: dt.date


@dataclass(frozen=True)
class DepartmentGrade:
    """A grade given to a department at a session: plenary order (SC-8) or activity coordination (SC-6)."""

    id: int
    department_id: int
    outcome: str
    on: dt.date


@dataclass(frozen=True)
class PersonOutcome:
    """One outcome of one person at a session: a disruption, an outstanding performance, a concise summary."""

    id: int
    person_id: int
    outcome: str
    on: dt.date


@dataclass(frozen=True)
class Proposal:
    id: int
    person_id: int
    novel: bool
    adopted: bool
    on: dt.date


@dataclass(frozen=True)
class ActivityGrade:
    meeting_id: int
    grade: str
    on: dt.date


@dataclass(frozen=True)
class Discretionary:
    """A discretionary entry that counts (negative, or positive and approved), for a person or a department."""

    id: int
    outcome: str
    points: int
    person_id: int | None
    department_id: int | None
    on: dt.date


@dataclass(frozen=True)
class Incident:
    id: int
    kind: str
    person_id: int | None
    department_id: int | None
    on: dt.date


class Expected(NamedTuple):
    """Someone was expected at a session of a kind in a month (whatever their marks there)."""

    person_id: int
    year: int
    month: int
    kind: str


@dataclass
class Facts:
    """Everything of one organisation's term the rules look at."""

    posts: list[Post] = field(default_factory=list)
    sessions: dict[int, Session] = field(default_factory=dict)
    # Marks, best grouped by session (as the database's index gives them). Present marks may be left out where
    # ``expected`` says who was expected: they earn nothing but a month's full attendance (SC-4) — except at
    # activities, where taking part earns points (SC-6), so an activity's marks are all here.
    marks: list[Mark] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    minutes: list[Minutes] = field(default_factory=list)
    plenary_orders: list[DepartmentGrade] = field(default_factory=list)
    disruptions: list[PersonOutcome] = field(default_factory=list)
    performances: list[PersonOutcome] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    activity_grades: list[ActivityGrade] = field(default_factory=list)
    coordinations: list[DepartmentGrade] = field(default_factory=list)
    discretionary: list[Discretionary] = field(default_factory=list)
    department_warnings: list[DepartmentGrade] = field(default_factory=list)  # confirmed ones (SC-14)
    incidents: list[Incident] = field(default_factory=list)  # the ladder's, no points of their own


class Entry(NamedTuple):
    person_id: int
    rule_id: int
    fact_type: str
    fact_key: str
    points: int
    on: dt.date

    @property
    def key(self) -> tuple:
        return self.person_id, self.rule_id, self.fact_type, self.fact_key


# --- the rulebook's shape ---


def cells(rule: Rule) -> Iterable[tuple]:
    """The cells of its fact's outcome space that a rule matches."""
    if rule.fact == Fact.MARK:
        for kind in sorted(rule.kinds):
            for stars in range(rule.stars_min, rule.stars_max + 1):
                yield rule.fact, kind, stars, rule.outcome
    else:
        yield rule.fact, None, None, rule.outcome


def all_cells() -> Iterable[tuple]:
    for fact, outcomes in OUTCOMES.items():
        for outcome in outcomes:
            if fact == Fact.MARK:
                for kind in KINDS:
                    for stars in STARS:
                        yield fact, kind, stars, outcome
            else:
                yield fact, None, None, outcome


def coverage_problems(rules: Iterable[Rule]) -> tuple[dict[tuple, list[int]], list[tuple]]:
    """(cells matched by two or more rules → their ids, cells matched by none). Both empty: a valid rulebook."""
    matched: dict[tuple, list[int]] = defaultdict(list)
    for rule in rules:
        if rule.fact not in OUTCOMES or rule.outcome not in OUTCOMES[rule.fact]:
            raise ValueError(f"rule {rule.id}: unknown fact or outcome {rule.fact}/{rule.outcome}")
        for cell in cells(rule):
            matched[cell].append(rule.id)
    twice = {cell: ids for cell, ids in matched.items() if len(ids) > 1}
    missing = [cell for cell in all_cells() if cell not in matched]
    return twice, missing


class Rulebook:
    """Rules indexed by the cell they match. Refuses a rulebook with overlaps or gaps."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        twice, missing = coverage_problems(self.rules)
        if twice or missing:
            raise ValueError(f"rulebook overlaps at {sorted(twice)[:3]} or misses {missing[:3]}")
        self._by_cell = {cell: rule for rule in self.rules for cell in cells(rule)}

    def rule(self, fact: str, outcome: str, *, kind: str | None = None, stars: int | None = None) -> Rule:
        return self._by_cell[fact, kind, stars, outcome]

    def counted_kinds(self) -> frozenset:
        """The session kinds that count for full attendance (SC-4)."""
        return self.rule(Fact.FULL_ATTENDANCE, "full").kinds


# --- computing ---


def _department_people(posts: list[Post], department_id: int, on: dt.date, *, officers_only: bool) -> list[int]:
    people = {p.person_id for p in posts
              if p.department_id == department_id and p.start <= on and (p.end is None or p.end >= on)
              and not (officers_only and p.cadre)}
    return sorted(people)


def _month_end(day: dt.date) -> dt.date:
    after = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return after - dt.timedelta(days=1)


def compute(facts: Facts, rulebook: Rulebook, *, as_of: dt.datetime, today: dt.date) -> list[Entry]:
    """The ledger entries of ``facts`` under ``rulebook`` as of ``as_of`` (``today``: its school-local date).

    What only the date brings: a month's full-attendance bonus once ``today`` is past the month; a task's
    "never submitted" once ``as_of`` is past its deadline. Entries are returned sorted."""
    entries: list[Entry] = []
    add = entries.append

    def reach(rule: Rule, *, person_id=None, department_id=None, on: dt.date, fact_type: str, fact_key):
        if rule.reach == Reach.PERSON:
            people = [person_id]
        else:
            people = _department_people(facts.posts, department_id, on,
                                        officers_only=rule.reach == Reach.DEPARTMENT_OFFICERS)
        for pid in people:
            add(Entry(pid, rule.id, fact_type, str(fact_key), rule.points, on))

    # SC-1 … SC-3 (marks), SC-6 participation with its term cap, SC-4 full attendance per month. Most marks
    # are "present": they only feed the month's tally (or arrive already tallied, as ``facts.expected``).
    participation = rulebook.rule(Fact.ACTIVITY_PARTICIPATION, "participated")
    counted = rulebook.counted_kinds()
    sessions = facts.sessions
    mark_rule = {(kind, stars, status): rulebook.rule(Fact.MARK, status, kind=kind, stars=stars)
                 for kind in KINDS for stars in STARS for status in MARK_STATUSES}
    month_people: dict[tuple[int, int], set[int]] = {}  # month → everyone with a counted session in it
    broken = set()  # (person, month) with a mark other than present at a counted session
    activity_marks = []
    # Marks arrive grouped by session (the index's order): the session's part is looked up once per run of
    # marks, and the many "present" marks are only gathered into sets (comprehensions: no Python-level loop).
    for meeting_id, group in groupby(facts.marks, key=itemgetter(2)):
        session = sessions[meeting_id]
        group = list(group)
        if session.kind == "activity":
            activity_marks.extend(group)
        month = (session.on.year, session.on.month) if session.kind in counted else None
        if month is not None:
            month_people.setdefault(month, set()).update([m[1] for m in group])
        others = [m for m in group if m[3] != "present"]
        if not others:
            continue
        rules_here = {status: mark_rule[session.kind, session.stars, status] for status in MARK_STATUSES}
        for pk, person_id, _meeting, status in others:
            rule = rules_here.get(status)
            if rule is not None:
                add(Entry(person_id, rule.id, "attendance", str(pk), rule.points, session.on))
            if month is not None:
                broken.add((person_id, month))
    for person_id, year, month, kind in facts.expected:
        if kind in counted:
            month_people.setdefault((year, month), set()).add(person_id)
    participated: dict[int, int] = defaultdict(int)
    for pk, person_id, meeting_id, status in sorted(activity_marks, key=lambda m: (sessions[m[2]].on, m[2], m[0])):
        if status in PARTICIPATED:
            cap = participation.term_cap
            if cap is None or (participated[person_id] + 1) * participation.points <= cap:
                participated[person_id] += 1
                add(Entry(person_id, participation.id, "attendance", str(pk), participation.points,
                          sessions[meeting_id].on))
    full = rulebook.rule(Fact.FULL_ATTENDANCE, "full")
    for (year, month), people in month_people.items():
        end = _month_end(dt.date(year, month, 1))
        if today > end:
            key = f"{year:04d}-{month:02d}"
            for person_id in people:
                if (person_id, (year, month)) not in broken:
                    add(Entry(person_id, full.id, "month", key, full.points, end))

    # SC-5 tasks: the first on-time submitter of each task (ties by time, then id), the others, the late and
    # the missing; and the quality grade.
    by_task: dict[int, list[Task]] = defaultdict(list)
    for task in facts.tasks:
        by_task[task.task_id].append(task)
    for task_id in sorted(by_task):
        assignments = by_task[task_id]
        on_time = sorted((a for a in assignments if a.submitted_at is not None and a.submitted_at <= a.deadline),
                         key=lambda a: (a.submitted_at, a.assignment_id))
        first = on_time[0].assignment_id if on_time else None
        for a in sorted(assignments, key=lambda a: a.assignment_id):
            if a.submitted_at is not None:
                outcome = ("first_on_time" if a.assignment_id == first else
                           "on_time" if a.submitted_at <= a.deadline else "late")
                on = a.submitted_on
            elif as_of > a.deadline:
                outcome = "missing_acknowledged" if a.acknowledged_at else "missing_unacknowledged"
                on = a.deadline_on
            else:
                outcome = None
            if outcome:
                rule = rulebook.rule(Fact.TASK_TIMELINESS, outcome)
                add(Entry(a.person_id, rule.id, "task_assignment", str(a.assignment_id), rule.points, on))
            if a.grade and a.submitted_at is not None:
                rule = rulebook.rule(Fact.TASK_QUALITY, a.grade)
                add(Entry(a.person_id, rule.id, "task_assignment", str(a.assignment_id), rule.points,
                          a.submitted_on))

    # SC-7 minutes.
    for m in facts.minutes:
        outcome = m.grade if m.taken else "not_taken"
        if outcome:
            rule = rulebook.rule(Fact.MINUTES, outcome)
            add(Entry(m.taker_id, rule.id, "minutes", str(m.id), rule.points, m.on))

    # SC-8 plenary discipline.
    for order in facts.plenary_orders:
        rule = rulebook.rule(Fact.PLENARY_ORDER, order.outcome)
        reach(rule, person_id=None, department_id=order.department_id, on=order.on, fact_type="plenary_order",
              fact_key=order.id)
    for d in facts.disruptions:
        rule = rulebook.rule(Fact.PLENARY_DISRUPTION, "disruptive")
        reach(rule, person_id=d.person_id, on=d.on, fact_type="plenary_disruption", fact_key=d.id)

    # SC-6 activities: performance, proposals, the overall grade to every participant, coordination.
    for p in facts.performances:
        rule = rulebook.rule(Fact.ACTIVITY_PERFORMANCE, p.outcome)
        reach(rule, person_id=p.person_id, on=p.on, fact_type="activity_performance", fact_key=p.id)
    for p in facts.proposals:
        for outcome, holds in (("submitted", True), ("novel", p.novel), ("adopted", p.adopted)):
            if holds:
                rule = rulebook.rule(Fact.ACTIVITY_PROPOSAL, outcome)
                reach(rule, person_id=p.person_id, on=p.on, fact_type="activity_proposal", fact_key=p.id)
    participants: dict[int, set[int]] = defaultdict(set)
    for _pk, person_id, meeting_id, status in activity_marks:
        if status in PARTICIPATED:
            participants[meeting_id].add(person_id)
    for g in facts.activity_grades:
        if g.grade:
            rule = rulebook.rule(Fact.ACTIVITY_GRADE, g.grade)
            for pid in sorted(participants.get(g.meeting_id, ())):
                add(Entry(pid, rule.id, "activity", str(g.meeting_id), rule.points, g.on))
    for c in facts.coordinations:
        rule = rulebook.rule(Fact.ACTIVITY_COORDINATION, c.outcome)
        reach(rule, department_id=c.department_id, on=c.on, fact_type="activity_coordination", fact_key=c.id)

    # SC-9 discretionary entries: the points entered (within the rule's range when entered).
    for d in facts.discretionary:
        rule = rulebook.rule(Fact.DISCRETIONARY, d.outcome)
        if rule.reach == Reach.PERSON:
            add(Entry(d.person_id, rule.id, "discretionary", str(d.id), d.points, d.on))
        else:
            for pid in _department_people(facts.posts, d.department_id, d.on, officers_only=False):
                add(Entry(pid, rule.id, "discretionary", str(d.id), d.points, d.on))
    # SC-14 a confirmed department warning costs each member of the department.
    for w in facts.department_warnings:
        rule = rulebook.rule(Fact.DEPARTMENT_WARNING, "confirmed")
        reach(rule, department_id=w.department_id, on=w.on, fact_type="sanction", fact_key=w.id)

    return sorted(entries)


def score(entries: Iterable[Entry], *, base: int = 70) -> dict[int, int]:
    """Each person's term score: the base plus the sum of their entries (第一条: no maximum)."""
    totals: dict[int, int] = defaultdict(lambda: base)
    for entry in entries:
        totals[entry.person_id] += entry.points
    return dict(totals)


# --- the ladder (SC-10, SC-11, SC-14), eligibility (SC-12) and awards (SC-13) ---

LEVELS = ("warning", "demerit", "dismissal")  # lightest first


@dataclass
class Counts:
    """What the ladder counts for one member in a term, over meetings, activities and duty shifts."""

    lates: int = 0  # marked late (within the threshold)
    absences: int = 0  # marked absent, lates beyond the threshold included
    extra_absences: int = 0  # SC-10: every 2 lates of a cadre, 3 of an officer
    minutes_not_taken: int = 0
    incidents: dict = field(default_factory=dict)  # kind → n
    careless: int = 0  # SC-9 "careless work" entries that count

    @property
    def ladder_absences(self) -> int:
        return self.absences + self.extra_absences


def _cadre_on(posts_by_person: dict[int, list[Post]], person_id: int, on: dt.date) -> bool:
    """Whether the person held a cadre post on that date (the post held on the date of each late)."""
    for post in posts_by_person.get(person_id, ()):
        if post.start <= on and (post.end is None or post.end >= on):
            return post.cadre
    return False


def ladder_counts(facts: Facts, *, lates_per_absence: dict) -> dict[int, Counts]:
    posts_by_person: dict[int, list[Post]] = defaultdict(list)
    for post in facts.posts:
        posts_by_person[post.person_id].append(post)
    counts: dict[int, Counts] = defaultdict(Counts)
    cadre_lates: dict[int, int] = defaultdict(int)
    officer_lates: dict[int, int] = defaultdict(int)
    for _pk, person_id, meeting_id, status in facts.marks:
        if status == "late":
            counts[person_id].lates += 1
            if _cadre_on(posts_by_person, person_id, facts.sessions[meeting_id].on):
                cadre_lates[person_id] += 1
            else:
                officer_lates[person_id] += 1
        elif status == "absent":
            counts[person_id].absences += 1
    for person_id in set(cadre_lates) | set(officer_lates):
        counts[person_id].extra_absences = (cadre_lates[person_id] // lates_per_absence["cadre"]
                                            + officer_lates[person_id] // lates_per_absence["officer"])
    for m in facts.minutes:
        if not m.taken:
            counts[m.taker_id].minutes_not_taken += 1
    for incident in facts.incidents:
        if incident.person_id is not None:
            kinds = counts[incident.person_id].incidents
            kinds[incident.kind] = kinds.get(incident.kind, 0) + 1
    for d in facts.discretionary:
        if d.outcome == "careless" and d.person_id is not None:
            counts[d.person_id].careless += 1
    return dict(counts)


def _reasons(counts: Counts, thresholds: dict) -> list[tuple[str, int, int]]:
    """(criterion, count, threshold) of every criterion of one level that the counts reach."""
    reasons = []
    for criterion, value in (("lates", counts.lates), ("absences", counts.ladder_absences),
                             ("minutes_not_taken", counts.minutes_not_taken)):
        if criterion in thresholds and value >= thresholds[criterion]:
            reasons.append((criterion, value, thresholds[criterion]))
    for kind, threshold in sorted(thresholds.get("incidents", {}).items()):
        if counts.incidents.get(kind, 0) >= threshold:
            reasons.append((f"incident:{kind}", counts.incidents[kind], threshold))
    return reasons


def ladder_level(counts: Counts, *, ladder: dict, careless_proposes: str | None = None):
    """(the heaviest level reached or None, the reasons for it)."""
    for level in reversed(LEVELS):
        if level not in ladder:
            continue
        reasons = _reasons(counts, ladder[level])
        if level == careless_proposes and counts.careless:
            reasons.append(("careless", counts.careless, 1))
        if reasons:
            return level, reasons
    return None, []


def one_step_away(counts: Counts, *, ladder: dict, level: str | None) -> list[tuple[str, str, int, int]]:
    """(next level, criterion, count, threshold) of each criterion one count short of the next level above the
    one reached: whom the office should watch. A count of 0 is not "one short" (a single incident would be)."""
    heavier = [lv for lv in LEVELS if lv in ladder and (level is None or LEVELS.index(lv) > LEVELS.index(level))]
    if not heavier:
        return []
    target = heavier[0]
    thresholds = ladder[target]
    near = []
    for criterion, value in (("lates", counts.lates), ("absences", counts.ladder_absences),
                             ("minutes_not_taken", counts.minutes_not_taken)):
        if criterion in thresholds and value and value == thresholds[criterion] - 1:
            near.append((target, criterion, value, thresholds[criterion]))
    for kind, threshold in sorted(thresholds.get("incidents", {}).items()):
        if counts.incidents.get(kind, 0) and counts.incidents.get(kind, 0) == threshold - 1:
            near.append((target, f"incident:{kind}", threshold - 1, threshold))
    return near


def department_counts(facts: Facts) -> dict[int, Counts]:
    counts: dict[int, Counts] = defaultdict(Counts)
    for incident in facts.incidents:
        if incident.department_id is not None:
            kinds = counts[incident.department_id].incidents
            kinds[incident.kind] = kinds.get(incident.kind, 0) + 1
    return dict(counts)


def eligibility(counts: Counts | None, *, failed_courses: int, max_lates_and_absences: int) -> list[tuple]:
    """SC-12: the reasons a member is excluded from the term's awards (empty: eligible). Lates and absences as
    marked, before any conversion."""
    reasons = []
    marked = (counts.lates + counts.absences) if counts else 0
    if marked > max_lates_and_absences:
        reasons.append(("lates_and_absences", marked, max_lates_and_absences + 1))
    if failed_courses:
        reasons.append(("failed_courses", failed_courses, 1))
    return reasons


@dataclass(frozen=True)
class Candidate:
    person_id: int
    department_id: int
    cadre: bool
    score: int
    eligible: bool


def award_quota(headcount: int, eligible: int, *, share_percent: int) -> int:
    """SC-13: share × headcount rounded half up, at least 1 where the group has an eligible member."""
    if not eligible:
        return 0
    return max(1, (headcount * share_percent * 2 + 100) // 200)


def award_lists(candidates: Iterable[Candidate], *, share_percent: int) -> dict[tuple[int, bool], list[Candidate]]:
    """Per (department, cadre?): the top eligible scorers, the quota counted on the group's headcount; everyone
    tied with the last one taken is included."""
    groups: dict[tuple[int, bool], list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[c.department_id, c.cadre].append(c)
    lists = {}
    for key in sorted(groups):
        members = groups[key]
        eligible = sorted((c for c in members if c.eligible), key=lambda c: (-c.score, c.person_id))
        quota = award_quota(len(members), len(eligible), share_percent=share_percent)
        if not quota:
            lists[key] = []
            continue
        cutoff = eligible[min(quota, len(eligible)) - 1].score
        lists[key] = [c for c in eligible if c.score >= cutoff]
    return lists
