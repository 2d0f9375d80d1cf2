"""The engine on plain values: each default rule of SPEC SC-1 … SC-8 builds its fact and expects its entry."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.defaults import default_rules
from scoring.engine import Fact, Facts, Mark, Post
from scoring.tests.engine_rules import RB, rulebook

TZ = ZoneInfo("Asia/Shanghai")
NOV = dt.date(2026, 11, 10)
AFTER_NOV = dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
IN_NOV = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


LABEL = {i: row["label"] for i, row in enumerate(default_rules(), start=1)}


def run(facts: Facts, *, as_of=AFTER_NOV) -> list[tuple]:
    """(person, rule label, points) of every entry."""
    entries = engine.compute(facts, RB, as_of=as_of, today=as_of.astimezone(TZ).date())
    return [(e.person_id, LABEL[e.rule_id], e.points) for e in entries]


def mark(pk, person, status, *, kind="department", stars=3, meeting=None, on=NOV):
    """A mark and its session."""
    meeting = meeting or pk
    return engine.Session(meeting, kind, stars, on), Mark(pk, person, meeting, status)


def with_marks(pairs, **other) -> Facts:
    """Facts holding these (session, mark) pairs and the other facts."""
    return Facts(sessions={session.id: session for session, _mark in pairs}, marks=[m for _s, m in pairs], **other)


def test_the_default_rulebook_covers_every_fact_exactly_once():
    rules = [r for r in RB.rules]
    assert engine.coverage_problems(rules) == ({}, [])


def test_a_rulebook_with_a_gap_or_an_overlap_is_refused():
    rules = list(RB.rules)
    with pytest.raises(ValueError):
        engine.Rulebook(rules[1:])  # the first rule's cells are matched by none
    with pytest.raises(ValueError):
        engine.Rulebook([*rules, rules[0].__class__(**{**rules[0].__dict__, "id": 999})])  # matched twice
    twice, missing = engine.coverage_problems(rules[1:])
    assert missing and not twice


@pytest.mark.parametrize(("status", "label", "points"), [
    ("late", "部门例会迟到", -1), ("early_leave", "部门例会早退", -1), ("leave", "部门例会请假", -1),
    ("absent", "部门例会无故缺席", -3),
])
def test_sc1_department_meetings(status, label, points):
    assert run(with_marks([mark(1, 7, status)], posts=[]), as_of=IN_NOV) == [(7, label, points)]


@pytest.mark.parametrize(("status", "points"), [("late", -2), ("leave", -2), ("early_leave", -2), ("absent", -5)])
def test_sc2_plenaries(status, points):
    assert run(with_marks([mark(1, 7, status, kind="plenary")]), as_of=IN_NOV)[0][2] == points


@pytest.mark.parametrize(("kind", "stars", "status", "points"), [
    ("other", 3, "late", -2), ("other", 5, "absent", -8), ("other", 2, "late", -1), ("other", 1, "absent", -5),
    ("duty", 2, "late", -1), ("duty", 2, "absent", -5), ("duty", 4, "absent", -8),
    ("other", 4, "early_leave", 0), ("duty", 1, "leave", 0),
])
def test_sc3_other_meetings_and_duty_shifts_by_stars(kind, stars, status, points):
    assert run(with_marks([mark(1, 7, status, kind=kind, stars=stars)]), as_of=IN_NOV)[0][2] == points


def test_a_present_or_unmarked_mark_carries_no_entry():
    assert run(with_marks([mark(1, 7, "present"), mark(2, 7, "unmarked", meeting=3)]), as_of=IN_NOV) == []


def test_sc4_full_attendance_once_the_month_is_over_and_only_with_a_meeting():
    facts = with_marks([mark(1, 7, "present"), mark(2, 7, "present", kind="plenary", meeting=5),
                         mark(3, 8, "present"), mark(4, 8, "late", meeting=6)])
    assert run(facts, as_of=IN_NOV) == [(8, "部门例会迟到", -1)]  # the month is not over yet
    assert run(facts) == [(7, "当月所有会议全勤", 3), (8, "部门例会迟到", -1)]
    # duty shifts and activities are not meetings: they neither earn nor break the bonus by default
    assert run(with_marks([mark(1, 7, "present", kind="duty")])) == []
    assert run(with_marks([mark(1, 7, "present"), mark(2, 7, "absent", kind="activity", meeting=9)])) == [
        (7, "活动无故缺席（不计分，计入处分统计）", 0), (7, "当月所有会议全勤", 3)]


def test_sc4_needs_every_meeting_of_the_month_present():
    facts = with_marks([mark(1, 7, "present"), mark(2, 7, "unmarked", meeting=2, on=dt.date(2026, 11, 30))])
    assert run(facts) == []
    october = with_marks([mark(1, 7, "present", on=dt.date(2026, 10, 31)), mark(2, 7, "late", meeting=2)])
    assert run(october) == [(7, "部门例会迟到", -1), (7, "当月所有会议全勤", 3)]  # October's bonus, November's late


def _task(pk, person, *, submitted=None, acknowledged=None, grade="", task=1, deadline=dt.datetime(
        2026, 11, 18, 22, 0, tzinfo=TZ)):
    return engine.Task(assignment_id=pk, task_id=task, person_id=person, deadline=deadline,
                       acknowledged_at=acknowledged, submitted_at=submitted, grade=grade,
                       deadline_on=deadline.date(), submitted_on=submitted and submitted.date())


def test_sc5_first_on_time_other_on_time_late_and_missing():
    t = dt.datetime(2026, 11, 17, 20, 0, tzinfo=TZ)
    tasks = [
        _task(1, 1, submitted=t + dt.timedelta(minutes=5)),
        _task(2, 2, submitted=t),  # first by time, though not first by id
        _task(3, 3, submitted=t + dt.timedelta(days=3), grade="excellent"),  # late: -1, nothing for being first
        _task(4, 4, acknowledged=t),
        _task(5, 5),
    ]
    assert run(Facts(tasks=tasks), as_of=IN_NOV) == [
        (1, "日常任务按时提交", 1), (2, "日常任务首位按时提交", 2), (3, "超过任务时限提交", -1),
        (3, "日常任务完成优", 2), (4, "答收到但未交任务", -3), (5, "未答收到且未交任务", -1)]


def test_sc5_ties_by_time_go_to_the_lower_id_and_nothing_is_missing_before_the_deadline():
    t = dt.datetime(2026, 11, 17, 20, 0, tzinfo=TZ)
    tasks = [_task(9, 1, submitted=t), _task(4, 2, submitted=t), _task(5, 3)]
    assert run(Facts(tasks=tasks), as_of=dt.datetime(2026, 11, 18, 9, 0, tzinfo=TZ)) == [
        (1, "日常任务按时提交", 1), (2, "日常任务首位按时提交", 2)]


@pytest.mark.parametrize(("grade", "points"), [("excellent", 2), ("good", 1), ("average", 0), ("poor", -2)])
def test_sc5_quality(grade, points):
    t = dt.datetime(2026, 11, 17, 20, 0, tzinfo=TZ)
    entries = run(Facts(tasks=[_task(1, 1, submitted=t, grade=grade)]))
    assert entries[-1][2] == points


def test_sc6_activity_participation_stops_after_five_a_term():
    marks = [mark(i, 7, "present", kind="activity", on=NOV + dt.timedelta(days=i)) for i in range(1, 8)]
    entries = run(with_marks(marks))
    assert [e for e in entries if e[1].startswith("参加部门活动")] == [(7, "参加部门活动（每学期累计最高 +5）", 1)] * 5


def test_sc6_performance_proposals_and_the_overall_grade_to_every_participant():
    on = NOV
    facts = with_marks(
        [mark(1, 7, "present", kind="activity", meeting=50), mark(2, 8, "late", kind="activity", meeting=50),
         mark(3, 9, "absent", kind="activity", meeting=50)],
        performances=[engine.PersonOutcome(id=1, person_id=7, outcome="outstanding", on=on),
                      engine.PersonOutcome(id=1, person_id=7, outcome="concise_summary", on=on)],
        proposals=[engine.Proposal(id=1, person_id=8, novel=True, adopted=True, on=on),
                   engine.Proposal(id=2, person_id=8, novel=False, adopted=False, on=on)],
        activity_grades=[engine.ActivityGrade(meeting_id=50, grade="excellent", on=on)],
    )
    got = sorted(run(facts, as_of=IN_NOV))
    assert (7, "活动中表现出色", 2) in got and (7, "总结干练", 2) in got
    assert got.count((8, "提出活动方案或构想", 1)) == 2
    assert (8, "方案新颖可行", 2) in got and (8, "活动前提出的构想被采纳", 2) in got
    assert (7, "活动总评为优", 2) in got and (8, "活动总评为优", 2) in got
    assert not any(person == 9 and label == "活动总评为优" for person, label, _ in got)  # absent: not a participant


def test_sc6_a_department_coordination_grade_reaches_every_member_of_the_department():
    posts = [Post(1, 10, True, dt.date(2026, 9, 1), None), Post(2, 10, False, dt.date(2026, 9, 1), None),
             Post(3, 11, False, dt.date(2026, 9, 1), None), Post(4, 10, False, dt.date(2026, 9, 1),
                                                                    dt.date(2026, 10, 31))]
    facts = Facts(posts=posts, coordinations=[engine.DepartmentGrade(id=1, department_id=10, outcome="chaotic",
                                                                     on=NOV)])
    assert run(facts, as_of=IN_NOV) == [(1, "部门配合乱差", -3), (2, "部门配合乱差", -3)]


@pytest.mark.parametrize(("taken", "grade", "label", "points"), [
    (True, "excellent", "会议记录为优", 2), (True, "good", "会议记录为良", 1), (True, "average", "会议记录为一般", 0),
    (True, "poor", "会议记录为差", -2), (False, "", "未做会议记录", -3),
])
def test_sc7_minutes(taken, grade, label, points):
    facts = Facts(minutes=[engine.Minutes(id=1, taker_id=7, taken=taken, grade=grade, on=NOV)])
    assert run(facts, as_of=IN_NOV) == [(7, label, points)]


def test_sc7_minutes_taken_but_not_yet_graded_carry_nothing():
    assert run(Facts(minutes=[engine.Minutes(id=1, taker_id=7, taken=True, grade="", on=NOV)])) == []


def test_sc8_department_order_reaches_its_officers_and_a_disruptor_loses_one():
    posts = [Post(1, 10, True, dt.date(2026, 9, 1), None), Post(2, 10, False, dt.date(2026, 9, 1), None),
             Post(3, 11, False, dt.date(2026, 9, 1), None)]
    facts = Facts(posts=posts, plenary_orders=[
        engine.DepartmentGrade(id=1, department_id=10, outcome="orderly", on=NOV),
        engine.DepartmentGrade(id=2, department_id=11, outcome="noisy", on=NOV)],
        disruptions=[engine.PersonOutcome(id=1, person_id=1, outcome="disruptive", on=NOV)])
    assert run(facts, as_of=IN_NOV) == [(1, "会议中特别吵闹、严重影响会场纪律", -1), (2, "全体会议部门纪律良好", 1),
                                        (3, "全体会议部门混乱吵闹", -1)]


def test_a_rule_change_changes_the_entry():
    edited = rulebook(**{"部门例会迟到": -4})
    entries = engine.compute(with_marks([mark(1, 7, "late")]), edited, as_of=IN_NOV, today=IN_NOV.date())
    assert [e.points for e in entries] == [-4]


STATUSES = st.sampled_from(["present", "late", "early_leave", "leave", "absent", "unmarked"])
MARKS = st.lists(st.tuples(st.integers(1, 4), st.sampled_from(engine.KINDS), st.integers(1, 5), STATUSES,
                           st.integers(0, 60)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(MARKS)
def test_computing_is_deterministic_and_the_score_is_70_plus_the_entries(rows):
    marks = [mark(i, person, status, kind=kind, stars=stars, meeting=i, on=dt.date(2026, 10, 1) + dt.timedelta(
        days=day)) for i, (person, kind, stars, status, day) in enumerate(rows, start=1)]
    first = engine.compute(with_marks(marks), RB, as_of=AFTER_NOV, today=AFTER_NOV.date())
    again = engine.compute(with_marks(list(reversed(marks))), RB, as_of=AFTER_NOV, today=AFTER_NOV.date())
    assert first == again
    assert len({e.key for e in first}) == len(first)  # one entry per (person, rule, fact)
    scores = engine.score(first)
    for person, total in scores.items():
        assert total == 70 + sum(e.points for e in first if e.person_id == person)


@settings(max_examples=60, deadline=None)
@given(MARKS)
def test_present_marks_given_as_who_was_expected_give_the_same_ledger(rows):
    """scoring.facts sends present marks (but an activity's) only as who was expected in which month."""
    pairs = [mark(i, person, status, kind=kind, stars=stars, meeting=i, on=dt.date(2026, 10, 1) + dt.timedelta(
        days=day)) for i, (person, kind, stars, status, day) in enumerate(rows, start=1)]
    every = with_marks(pairs)
    tallied = with_marks([(s, m) for s, m in pairs if m.status != "present" or s.kind == "activity"])
    tallied.expected = sorted({engine.Expected(m.person_id, s.on.year, s.on.month, s.kind) for s, m in pairs})
    assert engine.compute(tallied, RB, as_of=AFTER_NOV, today=AFTER_NOV.date()) == engine.compute(
        every, RB, as_of=AFTER_NOV, today=AFTER_NOV.date())


def test_the_fact_kinds_have_outcomes():
    assert set(engine.OUTCOMES) == {v for k, v in vars(Fact).items() if not k.startswith("_")}
