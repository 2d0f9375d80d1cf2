"""Reads of eligibility and awards (SPEC SC-12, SC-13), with the user explicit where it matters.

Eligibility (SC-12): a member is excluded from the term's awards with 3 or more lates and unexcused absences as
marked (``engine.eligibility`` over ``engine.ladder_counts`` of the term's facts) or a failed course that term
(the imported academic standing, read through ``members.selectors.term_failed_courses``).

Academic standing is sensitive: who runs awards learns that a member is not eligible for academic reasons
("学业条件不满足"); only a viewer who may see the member's standing (``members.selectors.standing_visible_ids``,
the person page's rule: counsellor, college party committee, the school's admin, the member themselves) reads
"本学期有课程不及格". Every reader here takes the ``viewer``; without one, the detail is left out.

The award lists (SC-13): per department (the presidium is a department: it counts as one) and per category
(优秀干事 for officers, 优秀干部 for cadres), the top eligible scorers, the quota counted on the group's
headcount (``engine.award_lists`` with the rulebook's ``award_share_percent``). The headcount is everyone who
held a post of that category in the department during the term (their last post of the organisation, as on
the score table). Beside each computed list: the stored proposal (``Award`` rows) and its state.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from members.models import Person
from members.selectors import standing_visible_ids, term_failed_courses
from orgs.models import Department
from scoring import engine
from scoring.models import Award, AwardCategory, AwardStatus
from scoring.selectors.rulebooks import rulebook_settings
from scoring.selectors.scores import member_ladder, organisation_table

# --- eligibility (SC-12) ---


def reason_texts(reasons, counts: engine.Counts | None, *, standing_detail: bool = False) -> list[str]:
    """The reasons of ``engine.eligibility`` in words; a failed course only as "学业条件不满足" unless
    ``standing_detail`` (the viewer may see the member's academic standing)."""
    texts = []
    for criterion, value, threshold in reasons:
        if criterion == "lates_and_absences":
            texts.append(_("迟到 %(lates)s 次、无故缺席 %(absences)s 次，共 %(n)s 次（满 %(limit)s 次不参加评优）") % {
                "lates": counts.lates if counts else 0, "absences": counts.absences if counts else 0, "n": value,
                "limit": threshold})
        elif criterion == "failed_courses":
            texts.append(_("本学期有课程不及格") if standing_detail else _("学业条件不满足"))
    return texts


def _eligibility(counts, failed: int, settings: dict, *, standing_detail: bool = False) -> list[str]:
    reasons = engine.eligibility(counts, failed_courses=failed,
                                 max_lates_and_absences=settings["eligibility_max_lates_and_absences"])
    return reason_texts(reasons, counts, standing_detail=standing_detail)


_UNKNOWN = object()


def member_eligibility(person, organisation, term, *, counts=_UNKNOWN, viewer=None,
                       settings: dict | None = None) -> tuple[bool, list[str]]:
    """(eligible, the reasons in Chinese when not) of one member for the organisation's awards of the term, as
    ``viewer`` may read them (a failed course in detail only to who may see the member's standing).
    Counted from the member's own facts (``selectors.member_ladder``): nine queries whatever the size of the term
    (two more before the term is first scored); two when the caller already has the member's ladder ``counts``
    (None: nothing counted)."""
    settings = settings or rulebook_settings(organisation=organisation, term=term)
    if counts is _UNKNOWN:
        row = member_ladder(organisation=organisation, term=term, person=person, settings=settings)
        counts = row.counts if row else None
    failed = term_failed_courses(person_ids=[person.pk], term=term).get(person.pk, 0)
    detail = bool(failed) and viewer is not None and person.pk in standing_visible_ids(viewer, person_ids=[person.pk])
    reasons = _eligibility(counts, failed, settings, standing_detail=detail)
    return not reasons, reasons


# --- the award lists (SC-13) ---


@dataclass
class AwardRow:
    """A member on the computed list (``rank`` among the eligible, ``tied`` with another on the list) or a
    member of the stored proposal who is no longer on it (``on_list`` False)."""

    person: Person
    score: int
    rank: int | None
    tied: bool
    on_list: bool
    award: Award | None = None


@dataclass
class Excluded:
    person: Person
    score: int
    reasons: list[str]


@dataclass
class AwardGroup:
    department: Department
    category: str  # AwardCategory
    headcount: int
    eligible: int
    share_percent: int
    quota: int
    explanation: str  # how the quota and the list's length were computed
    rows: list[AwardRow] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    others: list[AwardRow] = field(default_factory=list)  # eligible, below the cut-off
    awards: list[Award] = field(default_factory=list)  # the stored proposal, best first

    @property
    def key(self) -> str:
        return f"{self.department.pk}-{self.category}"

    @property
    def label(self) -> str:
        return str(AwardCategory(self.category).label)

    @property
    def computed(self) -> list[AwardRow]:
        return [row for row in self.rows if row.on_list]

    @property
    def status(self) -> str:
        """"" (nothing proposed), "proposed" or "confirmed"."""
        if not self.awards:
            return ""
        return AwardStatus.CONFIRMED if all(a.status == AwardStatus.CONFIRMED for a in self.awards) \
            else AwardStatus.PROPOSED

    @property
    def status_label(self) -> str:
        if self.status == AwardStatus.PROPOSED and self.department.is_presidium:
            return _("总部长已推荐")
        return str(AwardStatus(self.status).label) if self.status else _("未推荐")

    @property
    def stale(self) -> bool:
        """Whether someone of the stored proposal is no longer on the computed list (scores or eligibility
        changed since): the head proposes again before the office can confirm."""
        return any(not row.on_list for row in self.rows)


@dataclass
class AwardBoard:
    organisation: object
    term: object
    settings: dict
    groups: list[AwardGroup]

    @property
    def share_percent(self) -> int:
        return self.settings["award_share_percent"]

    @property
    def eligibility_limit(self) -> int:
        return self.settings["eligibility_max_lates_and_absences"] + 1

    def group(self, department_id: int, category: str) -> AwardGroup | None:
        return next((g for g in self.groups if g.department.pk == department_id and g.category == category), None)

    @property
    def awards(self) -> list[tuple[AwardGroup, Award]]:
        return [(g, a) for g in self.groups for a in g.awards]

    @property
    def pending(self) -> list[AwardGroup]:
        """The groups with an eligible member and nothing proposed yet."""
        return [g for g in self.groups if g.eligible and not g.awards]


def _decimal(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def explain_quota(*, headcount: int, eligible: int, share_percent: int, listed: int, category_label: str) -> str:
    """In words: the headcount × the share, rounded half up, at least 1; fewer eligible; ties at the cut-off."""
    if not eligible:
        return _("%(label)s共 %(n)s 人，没有符合评优资格的成员，本类不评选。") % {"label": category_label,
                                                                         "n": headcount}
    rounded = (headcount * share_percent * 2 + 100) // 200  # half up, as engine.award_quota
    text = _("%(label)s共 %(n)s 人 × %(share)s%% = %(exact)s，四舍五入为 %(rounded)s 人") % {
        "label": category_label, "n": headcount, "share": share_percent,
        "exact": _decimal(Decimal(headcount * share_percent) / 100), "rounded": rounded}
    quota = engine.award_quota(headcount, eligible, share_percent=share_percent)
    if rounded < 1:
        text += _("，不足 1 人按 1 人计")
    if eligible < quota:
        text += _("；符合资格的只有 %(n)s 人") % {"n": eligible}
    if listed > min(quota, eligible):
        text += _("；末位同分者均入选，名单共 %(n)s 人") % {"n": listed}
    return text + _("。")


def _ranks(eligible: list[engine.Candidate]) -> dict[int, int]:
    """Standard competition ranking (1, 2, 2, 4) of the eligible, best first."""
    ranks, previous, rank = {}, None, 0
    for index, candidate in enumerate(eligible, start=1):
        if candidate.score != previous:
            rank, previous = index, candidate.score
        ranks[candidate.person_id] = rank
    return ranks


def award_board(*, organisation, term, departments: set[int] | None = None, viewer=None) -> AwardBoard:
    """Every department × category of the organisation's term (only ``departments`` when given: a head's),
    presidium first, then in the departments' order: the quota, the computed list, the excluded members with
    their reasons (as ``viewer`` may read them: see the module's note on academic standing) and the stored
    proposal. Twenty-three queries whatever the size of the organisation (two more before the term is first
    scored, one more when someone failed a course and the viewer holds a role that may see standing)."""
    settings = rulebook_settings(organisation=organisation, term=term)
    share = settings["award_share_percent"]
    table = organisation_table(organisation=organisation, term=term)
    counts = {row.person.pk: row.ladder.counts for row in table.rows if row.ladder}  # as the sync stored them
    failed = term_failed_courses(person_ids=[row.person.pk for row in table.rows], term=term)
    rows = [row for row in table.rows if row.department is not None]  # a post outside any department: no list
    detail = standing_visible_ids(viewer, person_ids=failed) if viewer is not None and failed else set()
    reasons = {row.person.pk: _eligibility(counts.get(row.person.pk), failed.get(row.person.pk, 0), settings,
                                           standing_detail=row.person.pk in detail)
               for row in rows}
    candidates = [engine.Candidate(person_id=row.person.pk, department_id=row.department.pk, cadre=row.cadre,
                                   score=row.total, eligible=not reasons[row.person.pk]) for row in rows]
    lists = engine.award_lists(candidates, share_percent=share)
    people = {row.person.pk: row for row in rows}
    stored: dict[tuple[int, str], list[Award]] = {}
    for award in Award.objects.filter(organisation=organisation, term=term).select_related(
            "person", "proposed_by__person", "confirmed_by__person").order_by("-score", "person__number"):
        stored.setdefault((award.department_id, award.category), []).append(award)

    groups = []
    for (department_id, cadre), listed in lists.items():
        if departments is not None and department_id not in departments:
            continue
        members = [c for c in candidates if (c.department_id, c.cadre) == (department_id, cadre)]
        department = people[members[0].person_id].department
        category = AwardCategory.CADRE if cadre else AwardCategory.OFFICER
        eligible = sorted((c for c in members if c.eligible), key=lambda c: (-c.score, c.person_id))
        ranks = _ranks(eligible)
        scores = [c.score for c in listed]
        awards = stored.get((department_id, category), [])
        awarded = {a.person_id: a for a in awards}
        on_list = {c.person_id for c in listed}
        group = AwardGroup(
            department=department, category=category, headcount=len(members), eligible=len(eligible),
            share_percent=share, quota=engine.award_quota(len(members), len(eligible), share_percent=share),
            explanation=explain_quota(headcount=len(members), eligible=len(eligible), share_percent=share,
                                      listed=len(listed), category_label=str(category.label)),
            awards=awards)
        group.rows = [AwardRow(person=people[c.person_id].person, score=c.score, rank=ranks[c.person_id],
                               tied=scores.count(c.score) > 1, on_list=True, award=awarded.get(c.person_id))
                      for c in listed]
        group.rows += [AwardRow(person=a.person, score=people[a.person_id].total if a.person_id in people
                                else a.score, rank=ranks.get(a.person_id), tied=False, on_list=False, award=a)
                       for a in awards if a.person_id not in on_list]
        group.others = [AwardRow(person=people[c.person_id].person, score=c.score, rank=ranks[c.person_id],
                                 tied=False, on_list=False) for c in eligible if c.person_id not in on_list]
        group.excluded = [Excluded(person=people[c.person_id].person, score=c.score, reasons=reasons[c.person_id])
                          for c in sorted(members, key=lambda c: (-c.score, c.person_id)) if not c.eligible]
        groups.append(group)
    groups.sort(key=lambda g: (not g.department.is_presidium, g.department.order, g.department.name,
                               list(AwardCategory.values).index(g.category)))
    return AwardBoard(organisation=organisation, term=term, settings=settings, groups=groups)


def award_group(*, organisation, term, department, category, viewer=None) -> AwardGroup:
    """One department's list of one category; an empty group (``headcount`` 0) when nobody of that category is
    in the department."""
    group = award_board(organisation=organisation, term=term, departments={department.pk},
                        viewer=viewer).group(department.pk, category)
    if group is None:
        group = AwardGroup(department=department, category=category, headcount=0, eligible=0, share_percent=0,
                           quota=0, explanation="")
    return group
