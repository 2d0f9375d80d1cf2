"""Eligibility and awards (SC-12, SC-13): the quota's rounding, ties at the cut-off, the reasons of exclusion, and
the workflow — the head proposes their own department's computed list (the president the presidium's), the
office confirms once."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.selectors import term_failed_courses
from members.tests.factories import AcademicStandingFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, TermFactory
from scoring import engine
from scoring import services as scoring_services
from scoring.models import Award, AwardCategory, AwardStatus, TermRulebook
from scoring.selectors import awards as award_selectors
from scoring.services import awards
from scoring.tests.award_world import awards_fixture, give, mark  # noqa: F401 - the "awards" fixture

OFFICER, CADRE = AwardCategory.OFFICER, AwardCategory.CADRE


# --- the quota and the lists (pure) ---


@pytest.mark.parametrize(("headcount", "share", "quota"), [
    (7, 20, 1),  # 1.4 → 1
    (8, 20, 2),  # 1.6 → 2
    (5, 20, 1),  # 1.0
    (13, 20, 3),  # 2.6 → 3
    (2, 20, 1),  # 0.4 → 0, at least 1
    (1, 20, 1),
    (2, 25, 1),  # 0.5 → 1: half up
    (10, 25, 3),  # 2.5 → 3: half up, not to even
    (5, 50, 3),  # 2.5 → 3
    (3, 50, 2),  # 1.5 → 2
])
def test_the_quota_is_the_share_of_the_headcount_rounded_half_up_and_at_least_one(headcount, share, quota):
    assert engine.award_quota(headcount, headcount, share_percent=share) == quota


def test_no_quota_without_an_eligible_member():
    assert engine.award_quota(6, 0, share_percent=20) == 0


def _candidates(scores, *, department=1, cadre=False, ineligible=()):
    return [engine.Candidate(person_id=i + 1, department_id=department, cadre=cadre, score=score,
                             eligible=i + 1 not in ineligible) for i, score in enumerate(scores)]


def test_everyone_tied_at_the_cut_off_is_included():
    lists = engine.award_lists(_candidates([80, 78, 78, 78, 75, 70, 70, 60, 60, 50]), share_percent=20)
    assert [c.score for c in lists[1, False]] == [80, 78, 78, 78]  # quota 2: the three at 78 are all in


def test_the_quota_counts_the_headcount_but_only_the_eligible_are_chosen():
    # 5 members (quota 1): the best scorer is excluded, the next eligible one is chosen
    lists = engine.award_lists(_candidates([90, 80, 70, 60, 50], ineligible={1}), share_percent=20)
    assert [c.person_id for c in lists[1, False]] == [2]


def test_officers_and_cadres_of_a_department_are_listed_apart():
    candidates = _candidates([80, 70, 60]) + _candidates([90], cadre=True)
    lists = engine.award_lists(candidates, share_percent=20)
    assert [c.score for c in lists[1, False]] == [80] and [c.score for c in lists[1, True]] == [90]


def test_the_quota_is_explained_in_words():
    text = award_selectors.explain_quota(headcount=7, eligible=6, share_percent=20, listed=2, category_label="干事")
    assert text == "干事共 7 人 × 20% = 1.4，四舍五入为 1 人；末位同分者均入选，名单共 2 人。"
    text = award_selectors.explain_quota(headcount=2, eligible=1, share_percent=20, listed=1, category_label="干事")
    assert text == "干事共 2 人 × 20% = 0.4，四舍五入为 0 人，不足 1 人按 1 人计。"
    text = award_selectors.explain_quota(headcount=10, eligible=2, share_percent=50, listed=2, category_label="干事")
    assert text == "干事共 10 人 × 50% = 5，四舍五入为 5 人；符合资格的只有 2 人。"
    assert "本类不评选" in award_selectors.explain_quota(headcount=3, eligible=0, share_percent=20, listed=0,
                                                         category_label="干事")


# --- the board, from the database ---


def _board(s, departments=None):
    with tenant_scope(s.tenant):
        return award_selectors.award_board(organisation=s.org, term=s.term, departments=departments)


def _names(rows):
    return [row.person.name for row in rows]


def test_a_category_nobody_holds_is_an_empty_group_not_none(awards):
    """The presidium has cadres only: its officers' list is empty — a group with no one — and proposing it is
    refused in words."""
    with tenant_scope(awards.tenant):
        group = award_selectors.award_group(organisation=awards.org, term=awards.term, department=awards.presidium,
                                            category=OFFICER)
        assert (group.headcount, group.rows, group.computed, group.status) == (0, [], [], "")
        with pytest.raises(ValidationError, match="主席团本学期没有优秀干事可以评选"):
            scoring_services.award_propose(organisation=awards.org, term=awards.term, department=awards.presidium,
                                           category=OFFICER, user=awards.president, now=timezone.now())


def test_the_board_lists_each_department_and_category_presidium_first(awards):
    board = _board(awards)
    assert [(g.department.name, g.category) for g in board.groups] == [
        ("主席团", CADRE), ("办公室", OFFICER), ("办公室", CADRE), ("宣传部", OFFICER), ("宣传部", CADRE)]
    publicity = board.group(awards.publicity.pk, OFFICER)
    assert (publicity.headcount, publicity.eligible, publicity.quota) == (7, 6, 1)
    assert [(row.person.name, row.score, row.rank, row.tied) for row in publicity.rows] == [
        ("宣传干事0", 78, 1, True), ("宣传干事1", 78, 1, True)]
    assert "7 人 × 20% = 1.4" in publicity.explanation and "名单共 2 人" in publicity.explanation
    assert _names(publicity.others) == ["宣传干事2", "宣传干事3", "宣传干事4", "宣传干事5"]
    assert [(row.rank, row.score) for row in publicity.others] == [(3, 75), (4, 73), (5, 71), (6, 70)]
    assert _names(board.group(awards.presidium.pk, CADRE).rows) == [awards.president.person.name]


def test_excluded_members_are_listed_with_their_reasons(awards):
    board = _board(awards)
    publicity = board.group(awards.publicity.pk, OFFICER)
    assert [(e.person.name, e.score, e.reasons) for e in publicity.excluded] == [
        ("宣传干事6", 68, ["迟到 2 次、无故缺席 1 次，共 3 次（满 3 次不参加评优）"])]
    office = board.group(awards.dept.pk, OFFICER)
    # the failed course is academic standing: without a viewer who may see it, only the fact (test_award_standing)
    assert [(e.person.name, e.reasons) for e in office.excluded] == [(awards.student_x.name, ["学业条件不满足"])]
    assert _names(office.rows) == [awards.officer.person.name]  # 2 officers: 0.4 → at least 1
    # two lates are not enough to be excluded (宣传干事5 is among the others above)


def test_both_reasons_at_once_and_a_member_without_a_list(awards):
    with tenant_scope(awards.tenant):
        mark(awards, awards.student_x, "absent", "absent", "late")
        eligible, reasons = award_selectors.member_eligibility(awards.student_x, awards.org, awards.term)
    assert not eligible
    assert reasons == ["迟到 1 次、无故缺席 2 次，共 3 次（满 3 次不参加评优）", "学业条件不满足"]
    with tenant_scope(awards.tenant):
        assert award_selectors.member_eligibility(awards.officer.person, awards.org, awards.term) == (True, [])


def test_failed_courses_count_only_in_their_term(awards):
    with tenant_scope(awards.tenant):
        other = TermFactory(tenant=awards.tenant, name="上学期")
        AcademicStandingFactory(tenant=awards.tenant, person=awards.members[0], term=other, rank_percentile=50,
                                failed_courses=2)
        assert term_failed_courses(person_ids=[awards.members[0].pk, awards.student_x.pk], term=awards.term) == {
            awards.student_x.pk: 1}
        assert award_selectors.member_eligibility(awards.members[0], awards.org, awards.term) == (True, [])


def test_a_share_from_the_rulebook(awards):
    with tenant_scope(awards.tenant):
        rulebook = TermRulebook.objects.get(organisation=awards.org, term=awards.term).rulebook
        rulebook.settings = {**rulebook.settings, "award_share_percent": 50}
        rulebook.save(update_fields=["settings"])
    publicity = _board(awards).group(awards.publicity.pk, OFFICER)
    assert publicity.quota == 4 and _names(publicity.rows) == ["宣传干事0", "宣传干事1", "宣传干事2", "宣传干事3"]


def test_a_head_sees_only_their_department(awards):
    board = _board(awards, departments={awards.publicity.pk})
    assert {g.department.pk for g in board.groups} == {awards.publicity.pk}


# --- proposing and confirming ---


def _propose(s, user, department, category=OFFICER, **extra):
    with tenant_scope(s.tenant):
        return awards.award_propose(organisation=s.org, term=s.term, department=department, category=category,
                                    user=user, now=timezone.now(), **extra)


def _confirm(s, user, department, category=OFFICER):
    with tenant_scope(s.tenant):
        return awards.award_confirm(organisation=s.org, term=s.term, department=department, category=category,
                                    user=user, now=timezone.now())


def _stored(s):
    with tenant_scope(s.tenant):
        return sorted((a.department.name, a.category, a.person.name, a.score, a.status)
                      for a in Award.objects.select_related("department", "person"))


def test_the_head_proposes_the_computed_list_with_the_scores(awards):
    proposed = _propose(awards, awards.publicity_head, awards.publicity)
    assert len(proposed) == 2
    assert _stored(awards) == [("宣传部", "officer", "宣传干事0", 78, "proposed"),
                               ("宣传部", "officer", "宣传干事1", 78, "proposed")]
    _propose(awards, awards.publicity_head, awards.publicity, CADRE)
    assert ("宣传部", "cadre", awards.publicity_head.person.name, 72, "proposed") in _stored(awards)


def test_a_head_proposes_only_their_own_department(awards):
    for user in (awards.head, awards.office, awards.admin, awards.president, awards.officer):
        with pytest.raises(ValidationError, match="只有本部门的部长"):
            _propose(awards, user, awards.publicity)
    assert _stored(awards) == []


def test_the_president_proposes_the_presidium(awards):
    with pytest.raises(ValidationError, match="主席团的名单由总部长推荐"):
        _propose(awards, awards.head, awards.presidium, CADRE)
    _propose(awards, awards.president, awards.presidium, CADRE)
    assert _stored(awards) == [("主席团", "cadre", awards.president.person.name, 74, "proposed")]


def test_nobody_off_the_computed_list_may_be_added(awards):
    excluded, below = awards.members[6], awards.members[2]
    with pytest.raises(ValidationError, match="宣传干事6不符合评优资格：迟到 2 次、无故缺席 1 次"):
        _propose(awards, awards.publicity_head, awards.publicity, people=[awards.members[0].pk, excluded.pk])
    with pytest.raises(ValidationError, match="只能推荐按积分计算出的名单上的成员"):
        _propose(awards, awards.publicity_head, awards.publicity, people=[below.pk])
    with pytest.raises(ValidationError, match="只能推荐"):  # someone of another department
        _propose(awards, awards.publicity_head, awards.publicity, people=[awards.officer.person_id])
    with pytest.raises(ValidationError, match="请至少推荐一人"):
        _propose(awards, awards.publicity_head, awards.publicity, people=[])
    with pytest.raises(ValidationError, match="没有这个奖项"):
        _propose(awards, awards.publicity_head, awards.publicity, category="best")
    assert _stored(awards) == []


def test_a_head_may_leave_someone_of_the_list_off_and_proposing_again_replaces(awards):
    first, second = awards.members[0], awards.members[1]
    _propose(awards, awards.publicity_head, awards.publicity, people=[first.pk])
    assert [row[2] for row in _stored(awards)] == ["宣传干事0"]
    _propose(awards, awards.publicity_head, awards.publicity, people=[second.pk])
    assert [row[2] for row in _stored(awards)] == ["宣传干事1"]
    group = _board(awards).group(awards.publicity.pk, OFFICER)
    assert [(row.person.name, bool(row.award)) for row in group.rows] == [("宣传干事0", False), ("宣传干事1", True)]
    assert not group.stale and group.status == AwardStatus.PROPOSED


def test_the_office_confirms_once(awards):
    _propose(awards, awards.publicity_head, awards.publicity)
    for user in (awards.publicity_head, awards.president, awards.admin):
        with pytest.raises(ValidationError, match="只有本组织的办公室"):
            _confirm(awards, user, awards.publicity)
    assert _confirm(awards, awards.office, awards.publicity) == 2
    assert {row[4] for row in _stored(awards)} == {"confirmed"}
    with tenant_scope(awards.tenant):
        confirmed_at = sorted(Award.objects.values_list("confirmed_at", flat=True))
    with pytest.raises(ValidationError, match="这份名单已经确认过了"):
        _confirm(awards, awards.office, awards.publicity)
    with tenant_scope(awards.tenant):
        assert sorted(Award.objects.values_list("confirmed_at", flat=True)) == confirmed_at
    with pytest.raises(ValidationError, match="办公室已经确认了这份名单"):
        _propose(awards, awards.publicity_head, awards.publicity)
    assert _board(awards).group(awards.publicity.pk, OFFICER).status == AwardStatus.CONFIRMED


def test_nothing_proposed_cannot_be_confirmed(awards):
    with pytest.raises(ValidationError, match="还没有推荐"):
        _confirm(awards, awards.office, awards.publicity)


def test_a_list_whose_basis_changed_is_proposed_again_before_it_is_confirmed(awards):
    _propose(awards, awards.publicity_head, awards.publicity)
    with tenant_scope(awards.tenant):
        give(awards, awards.members[1], -1)  # 77: no longer tied with the first
    group = _board(awards).group(awards.publicity.pk, OFFICER)
    assert group.stale and [(row.person.name, row.on_list) for row in group.rows] == [
        ("宣传干事0", True), ("宣传干事1", False)]
    with pytest.raises(ValidationError, match="宣传干事1已不在按积分计算出的名单上"):
        _confirm(awards, awards.office, awards.publicity)
    assert {row[4] for row in _stored(awards)} == {"proposed"}
    _propose(awards, awards.publicity_head, awards.publicity)
    assert _confirm(awards, awards.office, awards.publicity) == 1


def test_a_department_of_another_organisation_is_refused(awards):
    with tenant_scope(awards.tenant):
        elsewhere = DepartmentFactory(tenant=awards.tenant, organisation=OrganisationFactory(tenant=awards.tenant))
    with pytest.raises(ValidationError, match="该部门不属于这个组织"):
        _propose(awards, awards.publicity_head, elsewhere)
