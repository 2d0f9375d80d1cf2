"""The default rulebook: SPEC SC-1 … SC-8 as rows, and the ladder, eligibility and award settings of
SC-10 … SC-14. Every new alliance-type organisation gets a copy (``scoring.services.rulebook_ensure``); the
office edits its own copy. Labels are Chinese data, not interface strings: they are the school's rulebook."""

from scoring.engine import GRADES, Fact, Reach

MEETINGS = ("department", "plenary", "other")
GRADE_LABEL = {"excellent": "优", "good": "良", "average": "一般", "poor": "差"}
GRADE_POINTS = {"excellent": 2, "good": 1, "average": 0, "poor": -2}
STATUS_LABEL = {"late": "迟到", "early_leave": "早退", "leave": "请假", "absent": "无故缺席"}


def _rule(code, clause, label, fact, outcome, points, **extra):
    return {"code": code, "clause": clause, "label": label, "fact": fact, "outcome": outcome, "points": points,
            **extra}


def default_rules() -> list[dict]:
    rules = []
    # SC-1 department regular meetings (第五条 1(1)–(4)).
    for status, points, clause in (("late", -1, "1(1)"), ("absent", -3, "1(2)"), ("early_leave", -1, "1(3)"),
                                   ("leave", -1, "1(4)")):
        rules.append(_rule("SC-1", f"第五条 {clause}", f"部门例会{STATUS_LABEL[status]}", Fact.MARK, status, points,
                           kinds=["department"]))
    # SC-2 plenaries (第五条 1(5)–(8)).
    for status, points, clause in (("late", -2, "1(5)"), ("leave", -2, "1(6)"), ("early_leave", -2, "1(7)"),
                                   ("absent", -5, "1(8)")):
        rules.append(_rule("SC-2", f"第五条 {clause}", f"全体会议{STATUS_LABEL[status]}", Fact.MARK, status, points,
                           kinds=["plenary"]))
    # SC-3 other meetings and duty shifts by stars (第七条 细则 3–4); early leave and leave 0.
    for low, high, late, absent, clause, band in ((3, 5, -2, -8, "第七条 细则 3", "三星级及以上"),
                                                 (1, 2, -1, -5, "第七条 细则 4", "三星级以下")):
        for status, points in (("late", late), ("absent", absent), ("early_leave", 0), ("leave", 0)):
            rules.append(_rule("SC-3", clause, f"{band}其他会议或值班{STATUS_LABEL[status]}", Fact.MARK, status,
                               points, kinds=["other", "duty"], stars_min=low, stars_max=high))
    # Activities: taking part is SC-6's; their marks carry no points of their own (they count for the ladder).
    for status in ("late", "early_leave", "leave", "absent"):
        rules.append(_rule("SC-6", "第五条 3(4)", f"活动{STATUS_LABEL[status]}（不计分，计入处分统计）", Fact.MARK,
                           status, 0, kinds=["activity"]))
    # SC-4 full attendance (第五条 1(9)): the kinds listed are the ones that must all be attended.
    rules.append(_rule("SC-4", "第五条 1(9)", "当月所有会议全勤", Fact.FULL_ATTENDANCE, "full", 3,
                       kinds=list(MEETINGS)))
    # SC-5 tasks (第五条 2).
    for outcome, points, clause, label in (
        ("first_on_time", 2, "2(1)", "日常任务首位按时提交"),
        ("on_time", 1, "2(1)", "日常任务按时提交"),
        ("late", -1, "2(2)", "超过任务时限提交"),
        ("missing_acknowledged", -3, "2(3)", "答收到但未交任务"),
        ("missing_unacknowledged", -1, "2(3)", "未答收到且未交任务"),
    ):
        rules.append(_rule("SC-5", f"第五条 {clause}", label, Fact.TASK_TIMELINESS, outcome, points))
    for grade in GRADES:
        rules.append(_rule("SC-5", "第五条 2(4)", f"日常任务完成{GRADE_LABEL[grade]}", Fact.TASK_QUALITY, grade,
                           GRADE_POINTS[grade]))
    # SC-6 activities (第五条 3).
    rules += [
        _rule("SC-6", "第五条 3(1)", "活动中表现出色", Fact.ACTIVITY_PERFORMANCE, "outstanding", 2),
        _rule("SC-6", "第五条 3(2)", "总结干练", Fact.ACTIVITY_PERFORMANCE, "concise_summary", 2),
        _rule("SC-6", "第五条 3(2)", "提出活动方案或构想", Fact.ACTIVITY_PROPOSAL, "submitted", 1),
        _rule("SC-6", "第五条 3(2)", "方案新颖可行", Fact.ACTIVITY_PROPOSAL, "novel", 2),
        _rule("SC-6", "第五条 3(3)", "活动前提出的构想被采纳", Fact.ACTIVITY_PROPOSAL, "adopted", 2),
        _rule("SC-6", "第五条 3(4)", "参加部门活动（每学期累计最高 +5）", Fact.ACTIVITY_PARTICIPATION, "participated",
              1, term_cap=5),
    ]
    for grade in GRADES:
        rules.append(_rule("SC-6", "第五条 3(4)", f"活动总评为{GRADE_LABEL[grade]}", Fact.ACTIVITY_GRADE, grade,
                           GRADE_POINTS[grade]))
    for outcome, points, label in (("good", 2, "部门内部配合协调"), ("ordinary", 0, "部门配合一般"),
                                   ("chaotic", -3, "部门配合乱差")):
        rules.append(_rule("SC-6", "第五条 3(5)", label, Fact.ACTIVITY_COORDINATION, outcome, points,
                           reach=Reach.DEPARTMENT_MEMBERS))
    # SC-7 minutes (第五条 4).
    for grade in GRADES:
        rules.append(_rule("SC-7", "第五条 4(1)", f"会议记录为{GRADE_LABEL[grade]}", Fact.MINUTES, grade,
                           GRADE_POINTS[grade]))
    rules.append(_rule("SC-7", "第五条 4(2)", "未做会议记录", Fact.MINUTES, "not_taken", -3))
    # SC-8 plenary discipline (第五条 5).
    for outcome, points, label in (("orderly", 1, "全体会议部门纪律良好"), ("ordinary", 0, "全体会议部门纪律一般"),
                                   ("noisy", -1, "全体会议部门混乱吵闹")):
        rules.append(_rule("SC-8", "第五条 5(1)", label, Fact.PLENARY_ORDER, outcome, points,
                           reach=Reach.DEPARTMENT_OFFICERS))
    rules.append(_rule("SC-8", "第五条 5(2)", "会议中特别吵闹、严重影响会场纪律", Fact.PLENARY_DISRUPTION,
                       "disruptive", -1))
    # SC-9 discretionary entries (第六条, 第七条 细则 5, 7, 8): the office enters points within the range.
    for outcome, low, high, clause, label, reach in (
        ("outstanding_department", 2, 5, "第六条 一 1", "部门工作突出（每位成员）", Reach.DEPARTMENT_MEMBERS),
        ("helping", 5, 10, "第六条 二 1", "帮助其他部门", Reach.PERSON),
        ("outstanding_activity", 5, 10, "第六条 二 2", "部门活动表现突出", Reach.PERSON),
        ("adopted_proposal", 3, 10, "第六条 二 3", "对整体工作提出意见并被采纳", Reach.PERSON),
        ("major_error", -10, -2, "第七条 细则 5", "工作出现重大失误", Reach.PERSON),
        ("late_task", -5, -2, "第七条 细则 7", "未按时完成工作", Reach.PERSON),
        ("careless", -5, -2, "第七条 细则 8", "工作马虎（并提出警告）", Reach.PERSON),
    ):
        rules.append(_rule("SC-9", clause, label, Fact.DISCRETIONARY, outcome, 0, points_min=low, points_max=high,
                           reach=reach))
    # SC-14 a confirmed department warning: "进行相应扣分" gives no number; −2 for each member by default.
    rules.append(_rule("SC-14", "附录 末", "部门警告（部门每位成员）", Fact.DEPARTMENT_WARNING, "confirmed", -2,
                       reach=Reach.DEPARTMENT_MEMBERS))
    for position, rule in enumerate(rules):
        rule["position"] = position
    return rules


def default_settings() -> dict:
    """SC-10 … SC-14: the ladder, eligibility and award numbers (used by the ladder and awards)."""
    return {
        "base": 70,
        "lates_per_absence": {"cadre": 2, "officer": 3},
        # SC-11: a level is reached when any of its counts is reached; the heaviest reached is proposed.
        "ladder": {
            "warning": {"lates": 3, "absences": 2, "minutes_not_taken": 3,
                        "incidents": {"rectification": 1, "perfunctory": 1}},
            "demerit": {"lates": 4, "absences": 3, "minutes_not_taken": 4,
                        "incidents": {"rectification": 2, "perfunctory": 2, "disobedience": 2, "no_proposal": 1,
                                      "minor_damage": 1, "error": 1}},
            "dismissal": {"lates": 5, "absences": 4, "minutes_not_taken": 5,
                          "incidents": {"rectification": 3, "perfunctory": 3, "disobedience": 3,
                                        "serious_damage": 1, "major_error": 3, "misconduct": 1}},
        },
        # SC-9 细则 8: careless work also proposes a warning.
        "careless_proposes": "warning",
        # SC-14: incidents against a department that propose a department warning.
        "department_ladder": {
            "warning": {"incidents": {"proposal_late": 2, "meeting_not_held": 2, "rectification": 1,
                                      "perfunctory": 1, "handback_late": 1, "disobedience": 1,
                                      "activity_failed": 1}},
        },
        # SC-9 (第六条 注): who approves a positive discretionary entry: the president, or the whole presidium.
        "discretionary_approval": "president",
        # SC-12: excluded from awards with more than this many lates + unexcused absences (as marked).
        "eligibility_max_lates_and_absences": 2,
        # SC-13: the share of each department's headcount, per category, rounded half up, at least 1.
        "award_share_percent": 20,
    }
