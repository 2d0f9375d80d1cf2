"""Reads of rulebooks (SPEC SC-1 … SC-14 as data): an organisation's versions, the rules of one version described
in Chinese, the settings as tables, what changed between two versions, and which term runs under which version.

Also the Chinese words for the engine's vocabulary (session kinds, facts, outcomes), shared by the pages and by
``scoring.rulebooks``' messages ("部门例会 3 星 迟到 同时匹配 2 条规则").
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from scoring import engine
from scoring.defaults import default_settings
from scoring.engine import Fact
from scoring.models import Approver, IncidentKind, Rule, Rulebook, TermRulebook

# --- the engine's vocabulary in Chinese ---

KIND_LABELS = {"department": _("部门例会"), "plenary": _("全体会议"), "other": _("其他会议"), "duty": _("值班"),
               "activity": _("活动")}
STATUS_LABELS = {"late": _("迟到"), "early_leave": _("早退"), "leave": _("请假"), "absent": _("旷会")}
GRADE_LABELS = {"excellent": _("优"), "good": _("良"), "average": _("一般"), "poor": _("差")}

FACT_LABELS = {
    Fact.MARK: _("会议考勤"),
    Fact.FULL_ATTENDANCE: _("月度全勤"),
    Fact.TASK_TIMELINESS: _("日常任务提交"),
    Fact.TASK_QUALITY: _("日常任务完成质量"),
    Fact.MINUTES: _("会议记录"),
    Fact.PLENARY_ORDER: _("全体会议部门纪律"),
    Fact.PLENARY_DISRUPTION: _("全体会议个人纪律"),
    Fact.ACTIVITY_PARTICIPATION: _("活动参与"),
    Fact.ACTIVITY_GRADE: _("活动总评"),
    Fact.ACTIVITY_PERFORMANCE: _("活动表现"),
    Fact.ACTIVITY_PROPOSAL: _("活动方案"),
    Fact.ACTIVITY_COORDINATION: _("部门配合"),
    Fact.DISCRETIONARY: _("酌情加减分"),
    Fact.DEPARTMENT_WARNING: _("部门警告"),
}

OUTCOME_LABELS = {
    Fact.MARK: STATUS_LABELS,
    Fact.FULL_ATTENDANCE: {"full": _("全勤")},
    Fact.TASK_TIMELINESS: {"first_on_time": _("首位按时提交"), "on_time": _("按时提交"), "late": _("超时提交"),
                           "missing_acknowledged": _("答收到但未提交"),
                           "missing_unacknowledged": _("未答收到且未提交")},
    Fact.TASK_QUALITY: GRADE_LABELS,
    Fact.MINUTES: {"not_taken": _("未做记录"), **GRADE_LABELS},
    Fact.PLENARY_ORDER: {"orderly": _("纪律良好"), "ordinary": _("纪律一般"), "noisy": _("混乱吵闹")},
    Fact.PLENARY_DISRUPTION: {"disruptive": _("严重影响会场纪律")},
    Fact.ACTIVITY_PARTICIPATION: {"participated": _("参加活动")},
    Fact.ACTIVITY_GRADE: GRADE_LABELS,
    Fact.ACTIVITY_PERFORMANCE: {"outstanding": _("表现出色"), "concise_summary": _("总结干练")},
    Fact.ACTIVITY_PROPOSAL: {"submitted": _("提出方案"), "novel": _("方案新颖可行"), "adopted": _("构想被采纳")},
    Fact.ACTIVITY_COORDINATION: {"good": _("配合协调"), "ordinary": _("配合一般"), "chaotic": _("配合乱差")},
    Fact.DISCRETIONARY: {"outstanding_department": _("部门工作突出"), "helping": _("帮助其他部门"),
                         "outstanding_activity": _("活动表现突出"), "adopted_proposal": _("意见被采纳"),
                         "major_error": _("重大失误"), "late_task": _("未按时完成工作"), "careless": _("工作马虎")},
    Fact.DEPARTMENT_WARNING: {"confirmed": _("确认部门警告")},
}

#: What each SPEC id of the rulebook is about (the headings of the rulebook page).
CODE_TITLES = {
    "SC-1": _("部门例会考勤"), "SC-2": _("全体会议考勤"), "SC-3": _("其他会议与值班考勤"), "SC-4": _("月度全勤"),
    "SC-5": _("日常任务"), "SC-6": _("活动"), "SC-7": _("会议记录"), "SC-8": _("全体会议纪律"),
    "SC-9": _("酌情加减分"), "SC-14": _("部门警告"),
}

LEVEL_LABELS = {"warning": _("警告"), "demerit": _("记过"), "dismissal": _("劝退")}
CRITERION_LABELS = {"lates": _("迟到次数"), "absences": _("旷会次数（含迟到折算）"),
                    "minutes_not_taken": _("未做会议记录次数")}
#: The incidents the ladder counts for members, and for departments (SC-14).
PERSON_INCIDENTS = ("rectification", "perfunctory", "disobedience", "no_proposal", "minor_damage", "serious_damage",
                    "error", "major_error", "misconduct")
DEPARTMENT_INCIDENTS = ("proposal_late", "meeting_not_held", "rectification", "perfunctory", "handback_late",
                        "disobedience", "activity_failed")
INCIDENT_LABELS = dict(IncidentKind.choices)

#: Which rules may have which fields edited on the rulebook page (the services refuse the others).
MATCHING_FACTS = (Fact.MARK,)  # kinds and stars
KINDS_FACTS = (Fact.MARK, Fact.FULL_ATTENDANCE)  # kinds (for full attendance: the kinds that must all be attended)
CAP_FACTS = (Fact.ACTIVITY_PARTICIPATION,)  # the engine applies a term cap to participation only
RANGE_FACTS = (Fact.DISCRETIONARY,)  # SC-9: a range instead of points


def stars_text(low: int, high: int) -> str:
    if low == high:
        return _("%(n)s 星") % {"n": low}
    return _("%(low)s–%(high)s 星") % {"low": low, "high": high}


def kinds_text(kinds) -> str:
    return "、".join(str(KIND_LABELS.get(k, k)) for k in engine.KINDS if k in set(kinds))


def outcome_text(fact: str, outcome: str) -> str:
    return str(OUTCOME_LABELS.get(fact, {}).get(outcome, outcome))


def cell_text(cell: tuple, stars_high: int | None = None) -> str:
    """A cell of the engine's outcome space in words: "部门例会 3 星 迟到", "日常任务提交：超时提交". With
    ``stars_high``, the cell stands for a run of stars ("值班 1–2 星 早退")."""
    fact, kind, stars, outcome = cell
    if fact == Fact.MARK:
        return _("%(kind)s %(stars)s %(status)s") % {
            "kind": KIND_LABELS.get(kind, kind), "stars": stars_text(stars, stars_high or stars),
            "status": outcome_text(fact, outcome)}
    return _("%(fact)s：%(outcome)s") % {"fact": FACT_LABELS.get(fact, fact), "outcome": outcome_text(fact, outcome)}


def matches_text(rule) -> str:
    """What a rule matches, in words."""
    if rule.fact == Fact.MARK:
        if (rule.stars_min, rule.stars_max) == (engine.STARS[0], engine.STARS[-1]):  # any stars: not worth saying
            return _("%(kinds)s %(status)s") % {"kinds": kinds_text(rule.kinds),
                                                "status": outcome_text(rule.fact, rule.outcome)}
        return _("%(kinds)s %(stars)s %(status)s") % {
            "kinds": kinds_text(rule.kinds), "stars": stars_text(rule.stars_min, rule.stars_max),
            "status": outcome_text(rule.fact, rule.outcome)}
    if rule.fact == Fact.FULL_ATTENDANCE:
        return _("当月%(kinds)s全部出席") % {"kinds": kinds_text(rule.kinds)}
    return cell_text((rule.fact, None, None, rule.outcome))


# --- versions and rules ---


def rulebook_current(*, organisation) -> Rulebook | None:
    """The organisation's newest version (the one edits start from and terms are bound to), or None."""
    return (Rulebook.objects.filter(organisation=organisation).select_related("created_by__person")
            .order_by("-version").first())


def rulebook_versions(*, organisation) -> list[Rulebook]:
    """Every version, newest first, with who made it. One query."""
    return list(Rulebook.objects.filter(organisation=organisation).select_related("created_by__person")
                .order_by("-version"))


@dataclass
class RuleRow:
    rule: Rule
    fact_label: str
    matches: str
    outcome: str = ""
    fields: dict = field(default_factory=dict)  # the edit form's bound fields of this rule


@dataclass
class RuleGroup:
    code: str
    title: str
    clauses: list
    rows: list[RuleRow]


def _code_order(code: str):
    prefix, _sep, number = code.partition("-")
    return (prefix, int(number) if number.isdigit() else 0, code)


def rule_groups(rules) -> list[RuleGroup]:
    """The rules grouped by SPEC id (SC-1, SC-2, …, SC-14), each in its rulebook order."""
    groups: dict[str, list[RuleRow]] = {}
    for rule in sorted(rules, key=lambda r: (r.position, r.pk or 0)):
        groups.setdefault(rule.code, []).append(
            RuleRow(rule=rule, fact_label=str(FACT_LABELS.get(rule.fact, rule.fact)), matches=str(matches_text(rule)),
                    outcome=outcome_text(rule.fact, rule.outcome)))
    result = []
    for code in sorted(groups, key=_code_order):
        clauses = list(dict.fromkeys(row.rule.clause for row in groups[code]))
        result.append(RuleGroup(code=code, title=str(CODE_TITLES.get(code, _("其他条目"))), clauses=clauses,
                                rows=groups[code]))
    return result


def rulebook_rules(*, rulebook) -> list[Rule]:
    """The version's rules in rulebook order. One query."""
    return list(Rule.objects.filter(rulebook=rulebook).order_by("position", "pk"))


# --- settings as tables ---


@dataclass
class SettingsView:
    lates_per_absence: dict
    ladder: list  # (criterion label, [threshold or None per level])
    department: list  # (incident label, threshold or None)
    careless_proposes: str
    approval: str
    eligibility_max: int | None
    award_share_percent: int | None
    levels: list = field(default_factory=list)


def settings_view(settings: dict) -> SettingsView:
    ladder = settings.get("ladder", {})
    rows = []
    for criterion, label in CRITERION_LABELS.items():
        rows.append((label, [ladder.get(level, {}).get(criterion) for level in engine.LEVELS]))
    for kind in PERSON_INCIDENTS:
        rows.append((INCIDENT_LABELS[kind], [ladder.get(level, {}).get("incidents", {}).get(kind)
                                             for level in engine.LEVELS]))
    department = settings.get("department_ladder", {}).get("warning", {}).get("incidents", {})
    careless = settings.get("careless_proposes")
    return SettingsView(
        lates_per_absence=settings.get("lates_per_absence", {}), ladder=rows,
        department=[(INCIDENT_LABELS[kind], department.get(kind)) for kind in DEPARTMENT_INCIDENTS],
        careless_proposes=str(LEVEL_LABELS.get(careless, _("不提出"))) if careless else str(_("不提出")),
        approval=str(Approver(settings.get("discretionary_approval", Approver.PRESIDENT)).label),
        eligibility_max=settings.get("eligibility_max_lates_and_absences"),
        award_share_percent=settings.get("award_share_percent"),
        levels=[LEVEL_LABELS[level] for level in engine.LEVELS],
    )


# --- what changed between two versions ---


def _rule_words(rule) -> str:
    """A rule as users know it: its clause of the source document and its name (never our internal code)."""
    return f"{rule.clause} {rule.label}"


def _points(n) -> str:
    return f"+{n}" if n and n > 0 else str(n)


def rules_diff(old_rules, new_rules) -> list[str]:
    """What a version changed in the rules, one line each, in rulebook order. Rules are matched by their place in
    the rulebook (a new version keeps the places of the rules it copies)."""
    old = {r.position: r for r in old_rules}
    new = {r.position: r for r in new_rules}
    lines = []
    for position in sorted(set(old) | set(new)):
        before, after = old.get(position), new.get(position)
        if before is None:
            lines.append(_("新增 %(rule)s：%(matches)s %(points)s") % {
                "rule": _rule_words(after), "matches": matches_text(after), "points": _points(after.points)})
            continue
        if after is None:
            lines.append(_("删除 %(rule)s（%(matches)s）") % {"rule": _rule_words(before),
                                                           "matches": matches_text(before)})
            continue
        if before.label != after.label:
            lines.append(_("%(clause)s 名称：%(old)s → %(new)s") % {"clause": after.clause, "old": before.label,
                                                                    "new": after.label})
        if str(matches_text(before)) != str(matches_text(after)):
            lines.append(_("%(rule)s 匹配：%(old)s → %(new)s") % {
                "rule": _rule_words(after), "old": matches_text(before), "new": matches_text(after)})
        if before.points != after.points:
            lines.append(_("%(rule)s 分值：%(old)s → %(new)s") % {
                "rule": _rule_words(after), "old": _points(before.points), "new": _points(after.points)})
        if (before.points_min, before.points_max) != (after.points_min, after.points_max):
            lines.append(_("%(rule)s 范围：%(old)s → %(new)s") % {
                "rule": _rule_words(after), "old": f"{_points(before.points_min)}…{_points(before.points_max)}",
                "new": f"{_points(after.points_min)}…{_points(after.points_max)}"})
        if before.term_cap != after.term_cap:
            lines.append(_("%(rule)s 每学期上限：%(old)s → %(new)s") % {
                "rule": _rule_words(after), "old": before.term_cap or _("不限"), "new": after.term_cap or _("不限")})
    return [str(line) for line in lines]


def settings_diff(old: dict, new: dict) -> list[str]:
    """What a version changed in the settings, one line each."""
    lines = []

    def change(label, a, b):
        if a != b:
            lines.append(_("%(setting)s：%(old)s → %(new)s") % {
                "setting": label, "old": "—" if a is None else a, "new": "—" if b is None else b})

    for key, label in (("cadre", _("干部每几次迟到折算一次旷会")), ("officer", _("干事每几次迟到折算一次旷会"))):
        change(label, old.get("lates_per_absence", {}).get(key), new.get("lates_per_absence", {}).get(key))
    for level in engine.LEVELS:
        a, b = old.get("ladder", {}).get(level, {}), new.get("ladder", {}).get(level, {})
        for criterion, label in CRITERION_LABELS.items():
            change(f"{LEVEL_LABELS[level]} · {label}", a.get(criterion), b.get(criterion))
        for kind in PERSON_INCIDENTS:
            change(f"{LEVEL_LABELS[level]} · {INCIDENT_LABELS[kind]}", a.get("incidents", {}).get(kind),
                   b.get("incidents", {}).get(kind))
    a = old.get("department_ladder", {}).get("warning", {}).get("incidents", {})
    b = new.get("department_ladder", {}).get("warning", {}).get("incidents", {})
    for kind in DEPARTMENT_INCIDENTS:
        change(f"{_('部门警告')} · {INCIDENT_LABELS[kind]}", a.get(kind), b.get(kind))
    change(_("工作马虎提出的处分"), LEVEL_LABELS.get(old.get("careless_proposes")),
           LEVEL_LABELS.get(new.get("careless_proposes")))
    change(_("加分审批"), Approver(old.get("discretionary_approval", Approver.PRESIDENT)).label,
           Approver(new.get("discretionary_approval", Approver.PRESIDENT)).label)
    change(_("评优资格：迟到与旷会合计最多"), old.get("eligibility_max_lates_and_absences"),
           new.get("eligibility_max_lates_and_absences"))
    change(_("评优名额比例（%）"), old.get("award_share_percent"), new.get("award_share_percent"))
    return [str(line) for line in lines]


def rulebook_previous(*, rulebook) -> Rulebook | None:
    return (Rulebook.objects.filter(organisation_id=rulebook.organisation_id, version__lt=rulebook.version)
            .order_by("-version").first())


# --- terms and their versions ---


@dataclass
class Binding:
    term: object
    rulebook: Rulebook
    bound_at: dt.datetime
    state: str  # "open", "closed", "future"
    outdated: bool  # an open term on an older version than the newest: may be re-scored


def term_bindings(*, organisation, newest: Rulebook | None, today: dt.date) -> list[Binding]:
    """Each term the organisation has been scored in, newest first, with its version and whether it is still
    open (a term is open until its last day has passed). One query."""
    rows = TermRulebook.objects.filter(organisation=organisation).select_related("term", "rulebook").order_by(
        "-term__start", "pk")
    result = []
    for row in rows:
        state = "closed" if row.term.end < today else "future" if row.term.start > today else "open"
        outdated = (state != "closed" and newest is not None and row.rulebook.version < newest.version)
        result.append(Binding(term=row.term, rulebook=row.rulebook, bound_at=row.bound_at, state=state,
                              outdated=outdated))
    return result


#: The base of every term score (第一条); a rulebook may set another.
DEFAULT_BASE = 70


def term_rulebook(*, organisation, term) -> Rulebook | None:
    """The rulebook the term is scored under: its bound version, or the newest if it has not been scored."""
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    return bound.rulebook if bound else Rulebook.objects.filter(organisation=organisation).order_by(
        "-version").first()


def rulebook_settings(*, organisation, term) -> dict:
    """The settings of the term's rulebook; SPEC's defaults fill what it lacks (or all, before any rulebook).
    One query: a page that needs them several times reads them once and passes them on (``settings=``)."""
    rulebook = term_rulebook(organisation=organisation, term=term)
    return {**default_settings(), **(rulebook.settings if rulebook else {})}
