"""Rulebook versions (issue 5 item 1): an edit makes a new version, refused with the problems in words when a fact
would be matched by two rules or by none, or when nothing changes; a closed term keeps its version and scores; the
preview of re-scoring an open term is exactly what re-scoring then stores."""

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import OrganisationFactory, TermFactory
from scoring import engine, services
from scoring.models import LedgerEntry, Rule, Rulebook, Sanction, TermRulebook
from scoring.selectors import organisation_table
from scoring.services import rulebooks


def _rule(rulebook, code, outcome, **lookup) -> Rule:
    return Rule.objects.get(rulebook=rulebook, code=code, outcome=outcome, **lookup)


def _edit(school, base, *, note="调整", **kwargs):
    return rulebooks.rulebook_edit(organisation=school.org, base=base, note=note, user=school.office,
                                   now=timezone.now(), **kwargs)


def _split_sc3_at_four(v1) -> dict:
    """SC-3 in two bands at 4 stars instead of 3: the 3–5 rules become 4–5, the 1–2 rules 1–3."""
    changes = {}
    for rule in Rule.objects.filter(rulebook=v1, code="SC-3"):
        changes[rule.pk] = {"stars_min": 4} if rule.stars_min == 3 else {"stars_max": 3}
    return changes


def _stored(org, term):
    return sorted((e.person_id, e.rule_id, e.fact_type, e.fact_key, e.points, e.on)
                  for e in LedgerEntry.objects.filter(organisation=org, term=term))


def _session(school, *, kind, stars, hours_ago, marks, now):
    start = now - dt.timedelta(hours=hours_ago)
    meeting = attendance.meeting_create(organisation=school.org, kind=kind, title=f"{kind}{stars}", stars=stars,
                                        starts_at=start, ends_at=start + dt.timedelta(minutes=30),
                                        audience=Audience.ORGANISATION, user=school.office, now=now)
    attendance.attendance_mark(meeting=meeting, user=school.office, now=now, marks=marks)
    return meeting


@pytest.fixture
def v1(school):
    with tenant_scope(school.tenant):
        return services.rulebook_ensure(organisation=school.org, now=timezone.now())


@pytest.fixture
def scored(school, v1):
    """The running term, scored under version 1: a plenary (officer 5 minutes late, head absent), another meeting
    of 3 stars (officer late) and one of 4 stars (student_x absent)."""
    now = timezone.now()
    with tenant_scope(school.tenant):
        officer, head, x = school.officer.person_id, school.head.person_id, school.student_x.pk
        _session(school, kind=MeetingKind.PLENARY, stars=3, hours_ago=3, now=now, marks=[
            {"person": officer, "status": "late", "late_minutes": 5}, {"person": head, "status": "absent"}])
        _session(school, kind=MeetingKind.OTHER, stars=3, hours_ago=2, now=now, marks=[
            {"person": officer, "status": "late", "late_minutes": 5}])
        _session(school, kind=MeetingKind.OTHER, stars=4, hours_ago=1, now=now, marks=[
            {"person": x, "status": "absent"}])
        services.ledger_sync(organisation=school.org, term=school.term, now=now)
    return school


# --- versions ---


def test_an_edit_makes_a_new_version_and_leaves_the_old_one_as_it_was(school, v1):
    with tenant_scope(school.tenant):
        late = _rule(v1, "SC-1", "late")
        v2 = _edit(school, v1, changes={late.pk: {"points": -2}}, note="部门例会迟到改为 −2")
        assert (v2.version, v2.note, v2.created_by, v2.settings) == (2, "部门例会迟到改为 −2", school.office,
                                                                     v1.settings)
        assert Rule.objects.filter(rulebook=v2).count() == Rule.objects.filter(rulebook=v1).count() == 60
        assert _rule(v1, "SC-1", "late").points == -1 and _rule(v2, "SC-1", "late").points == -2
        copied = _rule(v2, "SC-1", "late")
        assert (copied.clause, copied.label, copied.kinds, copied.position) == (
            late.clause, late.label, late.kinds, late.position)
        assert engine.coverage_problems(services.engine_rulebook(v2).rules) == ({}, [])


def test_sc3_split_at_four_stars_instead_of_three(school, v1):
    with tenant_scope(school.tenant):
        changes = _split_sc3_at_four(v1)
        high_late = _rule(v1, "SC-3", "late", stars_min=3)
        changes[high_late.pk]["label"] = "四星级及以上其他会议或值班迟到"
        v2 = _edit(school, v1, changes=changes, note="其他会议与值班按 4 星分档")
        book = services.engine_rulebook(v2)
        assert book.rule("mark", "late", kind="other", stars=3).points == -1
        assert book.rule("mark", "absent", kind="duty", stars=4).points == -8
        assert Rule.objects.get(pk=book.rule("mark", "late", kind="other", stars=4).id).label == (
            "四星级及以上其他会议或值班迟到")


def test_a_new_band_can_be_added_where_another_was_narrowed(school, v1):
    """A third band of SC-3 for 5 stars: narrow 3–5 to 3–4 and add 5-star rules for the four statuses."""
    with tenant_scope(school.tenant):
        changes = {r.pk: {"stars_max": 4} for r in Rule.objects.filter(rulebook=v1, code="SC-3", stars_min=3)}
        added = [{"code": "SC-3", "clause": "第七条 细则 3", "label": f"五星级其他会议或值班{status}",
                  "outcome": status, "kinds": ["other", "duty"], "stars_min": 5, "stars_max": 5, "points": points}
                 for status, points in (("late", -3), ("absent", -10), ("early_leave", 0), ("leave", 0))]
        v2 = _edit(school, v1, changes=changes, added=added)
        assert services.engine_rulebook(v2).rule("mark", "absent", kind="other", stars=5).points == -10
        assert Rule.objects.filter(rulebook=v2).count() == 64


def test_a_fact_matched_by_two_rules_is_refused_in_words(school, v1):
    with tenant_scope(school.tenant):
        late = _rule(v1, "SC-3", "late", stars_min=3)
        with pytest.raises(ValidationError) as refused:
            _edit(school, v1, changes={late.pk: {"kinds": ["department", "other", "duty"]}})
        text = " ".join(refused.value.messages)
        assert ("部门例会 3–5 星 迟到 同时匹配 2 条规则"
                "（第五条 1(1) 部门例会迟到、第七条 细则 3 三星级及以上其他会议或值班迟到）") in text
        assert Rulebook.objects.filter(organisation=school.org).count() == 1


def test_a_fact_matched_by_no_rule_is_refused_in_words(school, v1):
    with tenant_scope(school.tenant):
        early = _rule(v1, "SC-3", "early_leave", stars_max=2)
        with pytest.raises(ValidationError) as refused:
            _edit(school, v1, changes={early.pk: {"kinds": ["other"]}})
        assert refused.value.messages == ["没有规则匹配：值班 1–2 星 早退"]
        with pytest.raises(ValidationError) as refused:
            _edit(school, v1, changes={early.pk: {"stars_max": 1}})
        assert refused.value.messages == ["没有规则匹配：其他会议 2 星 早退", "没有规则匹配：值班 2 星 早退"]
        with pytest.raises(ValidationError) as refused:  # an outcome with no rule at all
            _edit(school, v1, removed=[_rule(v1, "SC-7", "not_taken").pk])
        assert refused.value.messages == ["没有规则匹配：会议记录：未做记录"]
        assert Rulebook.objects.filter(organisation=school.org).count() == 1


def test_many_problems_are_counted_past_the_first_few(school, v1):
    with tenant_scope(school.tenant):
        rules = Rule.objects.filter(rulebook=v1, fact="mark", kinds=["department"])
        with pytest.raises(ValidationError) as refused:
            _edit(school, v1, changes={r.pk: {"kinds": list(engine.KINDS)} for r in rules})
        messages = refused.value.messages
        assert len(messages) == rulebooks.PROBLEMS_SHOWN + 1 and messages[-1].startswith("另有 ")


def test_an_edit_that_changes_nothing_is_refused(school, v1):
    with tenant_scope(school.tenant):
        late = _rule(v1, "SC-1", "late")
        for kwargs in ({}, {"changes": {late.pk: {"points": -1, "kinds": ["department"]}}},
                       {"settings": dict(v1.settings)}):
            with pytest.raises(ValidationError, match="没有任何修改，未生成新版本。"):
                _edit(school, v1, **kwargs)
        assert Rulebook.objects.filter(organisation=school.org).count() == 1


def _bad_changes(v1):
    late = _rule(v1, "SC-1", "late")
    helping = _rule(v1, "SC-9", "helping")
    participation = _rule(v1, "SC-6", "participated")
    return [
        ({late.pk: {"points": 200}}, "分值须为 −100 到 100 之间的整数"),
        ({late.pk: {"stars_min": 0}}, "星级须为 1 到 5"),
        ({late.pk: {"stars_min": 4, "stars_max": 2}}, "最低星级不能高于最高星级"),
        ({late.pk: {"kinds": []}}, "请至少选择一种会议类型"),
        ({late.pk: {"kinds": ["party"]}}, "请至少选择一种会议类型"),
        ({late.pk: {"term_cap": 3}}, "这一条没有每学期上限"),
        ({helping.pk: {"points_min": 10, "points_max": 5}}, "范围的下限不能大于上限"),
        ({helping.pk: {"points_min": -2, "points_max": 5}}, "范围须同为加分或同为减分"),
        ({helping.pk: {"points_min": 0}}, "不为 0 的整数"),
        ({helping.pk: {"points": 3}}, "酌情加减分的分值由录入时确定"),
        ({participation.pk: {"term_cap": 0}}, "每学期上限须为正整数"),
        ({_rule(v1, "SC-7", "not_taken").pk: {"stars_min": 2}}, "这一条不按星级匹配"),
        ({_rule(v1, "SC-7", "not_taken").pk: {"label": "不记录"}}, "只有会议考勤条目可以改名称"),
        ({late.pk: {"label": "  "}}, "名称不能为空，最多 100 字"),
        ({late.pk: {"colour": "red"}}, "不能修改“colour”"),
    ]


def test_bad_rule_values_are_refused_and_nothing_is_made(school, v1):
    with tenant_scope(school.tenant):
        for changes, message in _bad_changes(v1):
            with pytest.raises(ValidationError, match=message):
                _edit(school, v1, changes=changes)
        with pytest.raises(ValidationError, match="新增条目：请填写条款、名称"):
            _edit(school, v1, added=[{"code": "SC-3", "outcome": "late", "kinds": ["other"], "points": -1}])
        assert Rulebook.objects.filter(organisation=school.org).count() == 1


@pytest.mark.parametrize("change, message", [
    (lambda s: s["lates_per_absence"].update(cadre=0), "干部每几次迟到折算一次旷会须为 1 到 100 之间的整数"),
    (lambda s: s.update(award_share_percent=101), "评优名额比例须为 1 到 100 之间的整数"),
    (lambda s: s.update(eligibility_max_lates_and_absences=-1), "评优资格的迟到与旷会合计上限须为 0 到 100"),
    (lambda s: s["ladder"]["demerit"].update(lates=2), "记过的迟到次数（2）不能少于警告的（3）"),
    (lambda s: s["ladder"]["warning"]["incidents"].update(rectification=0), "警告 整改不到位须为 1 到 100"),
    (lambda s: s.update(careless_proposes="expulsion"), "工作马虎提出的处分须为"),
    (lambda s: s["ladder"].update(warning={}), "警告：至少要有一项达到即提出处分的条件"),
    (lambda s: s.update(discretionary_approval="everyone"), "加分审批须为总部长批准或主席团全体成员同意"),
])
def test_bad_settings_are_refused(school, v1, change, message):
    with tenant_scope(school.tenant):
        settings = copy.deepcopy(v1.settings)
        change(settings)
        with pytest.raises(ValidationError, match=message):
            _edit(school, v1, settings=settings)
        assert Rulebook.objects.filter(organisation=school.org).count() == 1


def test_settings_are_versioned_with_the_rules(school, v1):
    with tenant_scope(school.tenant):
        settings = copy.deepcopy(v1.settings)
        settings["award_share_percent"] = 25
        v2 = _edit(school, v1, settings=settings)
        assert Rulebook.objects.get(pk=v1.pk).settings["award_share_percent"] == 20
        assert v2.settings["award_share_percent"] == 25


def test_an_edit_needs_a_note_and_the_newest_version(school, v1):
    with tenant_scope(school.tenant):
        late = _rule(v1, "SC-1", "late")
        with pytest.raises(ValidationError, match="请填写修改说明"):
            _edit(school, v1, changes={late.pk: {"points": -2}}, note="  ")
        _edit(school, v1, changes={late.pk: {"points": -2}})
        with pytest.raises(ValidationError, match="已有更新的版本（第 2 版）"):
            _edit(school, v1, changes={late.pk: {"points": -3}})


def test_another_organisations_version_is_refused(school, v1):
    with tenant_scope(school.tenant):
        elsewhere = OrganisationFactory(tenant=school.tenant)
        with pytest.raises(ValidationError, match="不属于该组织"):
            rulebooks.rulebook_edit(organisation=elsewhere, base=v1, note="x", user=school.office,
                                    now=timezone.now())


# --- terms and re-scoring ---


def test_a_closed_term_keeps_its_version_and_its_scores(school, v1):
    now = timezone.now()
    today = local_date(now)
    with tenant_scope(school.tenant):
        past = TermFactory(tenant=school.tenant, name="上学期", start=today - dt.timedelta(days=200),
                           end=today - dt.timedelta(days=60))
        MembershipFactory(tenant=school.tenant, person=school.officer.person, organisation=school.org,
                          department=school.dept, position=school.officer_post, term=past, start=past.start,
                          end=past.end)
        start = dt.datetime.combine(past.start + dt.timedelta(days=10), dt.time(19), now.tzinfo)
        meeting = attendance.meeting_create(organisation=school.org, kind=MeetingKind.PLENARY, title="上学期全会",
                                            stars=3, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                            audience=Audience.CHOSEN, chosen=[school.officer.person],
                                            user=school.office, now=now)
        attendance.attendance_mark(meeting=meeting, user=school.office, now=now, marks=[
            {"person": school.officer.person_id, "status": "late", "late_minutes": 5}])
        services.ledger_sync(organisation=school.org, term=past, now=now)
        before = _stored(school.org, past)
        assert [row[4] for row in before] == [-2]
        v2 = _edit(school, v1, changes={_rule(v1, "SC-2", "late").pk: {"points": -4}})
        services.ledger_sync(organisation=school.org, term=past, now=now)
        assert TermRulebook.objects.get(organisation=school.org, term=past).rulebook == v1
        assert _stored(school.org, past) == before
        for call in (services.term_rescore, services.term_rescore_preview):
            with pytest.raises(ValidationError, match="上学期已经结束，不能重新计分"):
                call(organisation=school.org, term=past, rulebook=v2, now=now)
        assert TermRulebook.objects.get(organisation=school.org, term=past).rulebook == v1
        assert _stored(school.org, past) == before


def test_an_open_term_stays_on_its_version_until_rescored(scored, v1):
    now = timezone.now()
    with tenant_scope(scored.tenant):
        before = _stored(scored.org, scored.term)
        v2 = _edit(scored, v1, changes=_split_sc3_at_four(v1))
        services.ledger_sync(organisation=scored.org, term=scored.term, now=now)
        assert TermRulebook.objects.get(organisation=scored.org, term=scored.term).rulebook == v1
        assert _stored(scored.org, scored.term) == before
        services.term_rescore(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        assert TermRulebook.objects.get(organisation=scored.org, term=scored.term).rulebook == v2


def test_the_preview_is_what_rescoring_then_stores(scored, v1):
    now = timezone.now()
    with tenant_scope(scored.tenant):
        changes = _split_sc3_at_four(v1)
        changes[_rule(v1, "SC-2", "late").pk] = {"points": -4}
        v2 = _edit(scored, v1, changes=changes)
        stored_before = _stored(scored.org, scored.term)
        preview = services.term_rescore_preview(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        assert _stored(scored.org, scored.term) == stored_before  # the preview writes nothing
        assert TermRulebook.objects.get(organisation=scored.org, term=scored.term).rulebook == v1
        [officer] = preview.people
        assert officer.person.pk == scored.officer.person_id
        assert (officer.old_score, officer.new_score, officer.delta) == (66, 65, -1)  # 70−2−2 → 70−4−1
        assert sorted((c.change, c.old_points, c.new_points) for c in officer.changes) == [
            ("changed", -2, -4), ("changed", -2, -1)]
        other = next(c for c in officer.changes if c.new_points == -1)
        assert (other.old_rule.label, other.new_rule.label) == ("三星级及以上其他会议或值班迟到",
                                                                "三星级以下其他会议或值班迟到")
        assert "other3" in other.fact
        assert (preview.unchanged, preview.added, preview.removed, preview.changed) == (2, 0, 0, 2)
        assert any("匹配" in line and "4–5 星" in line for line in preview.rule_changes)

        services.term_rescore(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        stored = _stored(scored.org, scored.term)
        assert stored == sorted((e.person_id, e.rule_id, e.fact_type, e.fact_key, e.points, e.on)
                                for e in preview.entries)
        assert {r.rulebook_id for r in Rule.objects.filter(entries__organisation=scored.org)} == {v2.pk}
        totals = {row.person.pk: row.total for row in organisation_table(organisation=scored.org,
                                                                         term=scored.term).rows}
        assert totals[scored.officer.person_id] == officer.new_score
        assert totals == {scored.officer.person_id: 65, scored.head.person_id: 65, scored.student_x.pk: 62}


def test_the_preview_shows_the_ladder_the_new_settings_reach(scored, v1):
    now = timezone.now()
    with tenant_scope(scored.tenant):
        settings = copy.deepcopy(v1.settings)
        settings["ladder"]["warning"]["lates"] = 2  # the officer has two lates
        v2 = _edit(scored, v1, settings=settings)
        preview = services.term_rescore_preview(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        [officer] = preview.people
        assert (officer.old_level, officer.new_level, officer.delta, officer.changes) == (None, "warning", 0, [])
        assert preview.settings_changes == ["警告 · 迟到次数：3 → 2"]
        assert not Sanction.objects.filter(person_id=scored.officer.person_id).exists()
        services.term_rescore(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        assert Sanction.objects.get(person_id=scored.officer.person_id).level == "warning"


def test_rescoring_needs_the_newest_version_and_a_change_of_version(scored, v1):
    now = timezone.now()
    with tenant_scope(scored.tenant):
        with pytest.raises(ValidationError, match="已按第 1 版计分，无需重新计分"):
            services.term_rescore(organisation=scored.org, term=scored.term, rulebook=v1, now=now)
        v2 = _edit(scored, v1, changes={_rule(v1, "SC-1", "late").pk: {"points": -2}})
        _edit(scored, v2, changes={_rule(v2, "SC-1", "late").pk: {"points": -3}})
        with pytest.raises(ValidationError, match="只能按最新版本（第 3 版）重新计分"):
            services.term_rescore(organisation=scored.org, term=scored.term, rulebook=v2, now=now)
        assert TermRulebook.objects.get(organisation=scored.org, term=scored.term).rulebook == v1


def test_the_preview_runs_a_constant_number_of_queries(scored, v1, django_assert_num_queries):
    now = timezone.now()
    with tenant_scope(scored.tenant):
        v2 = _edit(scored, v1, changes=_split_sc3_at_four(v1))

        def run():
            return services.term_rescore_preview(organisation=scored.org, term=scored.term, rulebook=v2, now=now)

        with CaptureQueriesContext(connection) as few:
            run()
        people = [PersonFactory(tenant=scored.tenant) for _ in range(6)]
        for person in people:
            MembershipFactory(tenant=scored.tenant, person=person, organisation=scored.org, department=scored.dept,
                              position=scored.officer_post, term=scored.term, start=scored.term.start)
        _session(scored, kind=MeetingKind.OTHER, stars=3, hours_ago=4, now=now, marks=[
            {"person": p.pk, "status": "late", "late_minutes": 5} for p in people])
        with django_assert_num_queries(len(few)):
            preview = run()
        assert len(preview.people) == 7
