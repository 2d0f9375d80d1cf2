"""Writes of rulebooks: the organisation's first version (SPEC's defaults), the version a term runs under, and a
new version from an edit.


A version is never edited in place. ``rulebook_edit`` copies the newest version's rules and settings with the
changes applied, and refuses — in words, cell by cell — a result that the engine would refuse (a fact matched by
two rules, or by none: ``engine.coverage_problems``), and an edit that changes nothing. No term moves with it: a
closed term keeps the version it ran under, and an open term moves only by ``term_rescore``."""

import copy
import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring import engine
from scoring.defaults import default_rules, default_settings
from scoring.engine import Fact
from scoring.models import (
    Approver,
    Rule,
    Rulebook,
    TermRulebook,
)
from scoring.selectors.rulebooks import (
    CAP_FACTS,
    DEPARTMENT_INCIDENTS,
    INCIDENT_LABELS,
    KINDS_FACTS,
    LEVEL_LABELS,
    MATCHING_FACTS,
    PERSON_INCIDENTS,
    RANGE_FACTS,
    STATUS_LABELS,
    cell_text,
)


@transaction.atomic
def rulebook_ensure(*, organisation, now: dt.datetime) -> Rulebook:
    """The organisation's newest rulebook; version 1 from SPEC's defaults if it has none yet."""
    newest = Rulebook.objects.filter(organisation=organisation).order_by("-version").first()
    if newest is not None:
        return newest
    rulebook = Rulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, version=1,
                                       settings=default_settings(), created_at=now)
    Rule.objects.bulk_create([Rule(tenant_id=organisation.tenant_id, rulebook=rulebook, **row)
                              for row in default_rules()])
    return rulebook


@transaction.atomic
def term_rulebook_bind(*, organisation, term, now: dt.datetime) -> Rulebook:
    """The version the term runs under: bound once, to the newest version when the term is first scored."""
    bound = TermRulebook.objects.filter(organisation=organisation, term=term).select_related("rulebook").first()
    if bound is not None:
        return bound.rulebook
    rulebook = rulebook_ensure(organisation=organisation, now=now)
    TermRulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation, term=term,
                                rulebook=rulebook, bound_at=now)
    return rulebook


def engine_rulebook(rulebook: Rulebook) -> engine.Rulebook:
    return engine.Rulebook(
        engine.Rule(id=r.pk, fact=r.fact, outcome=r.outcome, points=r.points, kinds=frozenset(r.kinds),
                    stars_min=r.stars_min, stars_max=r.stars_max, reach=r.reach, term_cap=r.term_cap)
        for r in Rule.objects.filter(rulebook=rulebook).order_by("position", "pk")
    )


#: Bounds of a rule's points (the column is a small integer; SPEC's largest is ±10).
POINTS_LIMIT = 100
#: The fields of a rule that are copied to a new version.
RULE_FIELDS = ("code", "clause", "label", "fact", "outcome", "kinds", "stars_min", "stars_max", "points", "reach",
               "term_cap", "points_min", "points_max", "position")
#: At most this many coverage problems are spelled out; the rest are counted.
PROBLEMS_SHOWN = 8


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _row(rule: Rule) -> dict:
    row = {name: getattr(rule, name) for name in RULE_FIELDS}
    row["kinds"] = sorted(row["kinds"] or [])
    return row


def _words(row: dict) -> str:
    return f"{row['clause']} {row['label']}"


# --- checking one rule's edited fields ---


def _apply(row: dict, change: dict, errors: list) -> None:
    """Apply one rule's changes to its row, collecting what is refused (in words naming the rule)."""
    fact, name = row["fact"], _words(row)
    for key, value in change.items():
        if key == "points":
            if fact in RANGE_FACTS:
                errors.append(_("%(rule)s：酌情加减分的分值由录入时确定，这里只能修改范围。") % {"rule": name})
            elif not _is_int(value) or abs(value) > POINTS_LIMIT:
                errors.append(_("%(rule)s：分值须为 −%(n)s 到 %(n)s 之间的整数。") % {"rule": name, "n": POINTS_LIMIT})
            else:
                row["points"] = value
        elif key in ("points_min", "points_max"):
            if fact not in RANGE_FACTS:
                errors.append(_("%(rule)s：只有酌情加减分条目有分值范围。") % {"rule": name})
            elif not _is_int(value) or value == 0 or abs(value) > POINTS_LIMIT:
                errors.append(_("%(rule)s：范围的两端须为 −%(n)s 到 %(n)s 之间、不为 0 的整数。") % {
                    "rule": name, "n": POINTS_LIMIT})
            else:
                row[key] = value
        elif key == "kinds":
            if fact not in KINDS_FACTS:
                errors.append(_("%(rule)s：这一条不按会议类型匹配。") % {"rule": name})
            elif not value or not set(value) <= set(engine.KINDS):
                errors.append(_("%(rule)s：请至少选择一种会议类型。") % {"rule": name})
            else:
                row["kinds"] = sorted(set(value))
        elif key in ("stars_min", "stars_max"):
            if fact not in MATCHING_FACTS:
                errors.append(_("%(rule)s：这一条不按星级匹配。") % {"rule": name})
            elif not _is_int(value) or not 1 <= value <= 5:
                errors.append(_("%(rule)s：星级须为 1 到 5。") % {"rule": name})
            else:
                row[key] = value
        elif key == "label":
            label = (value or "").strip() if isinstance(value, str) else ""
            if fact not in MATCHING_FACTS:
                errors.append(_("%(rule)s：只有会议考勤条目可以改名称。") % {"rule": name})
            elif not label or len(label) > 100:
                errors.append(_("%(rule)s：名称不能为空，最多 100 字。") % {"rule": name})
            else:
                row["label"] = label
        elif key == "term_cap":
            if fact not in CAP_FACTS:
                errors.append(_("%(rule)s：这一条没有每学期上限。") % {"rule": name})
            elif value is not None and (not _is_int(value) or not 1 <= value <= POINTS_LIMIT):
                errors.append(_("%(rule)s：每学期上限须为正整数，或留空表示不限。") % {"rule": name})
            else:
                row["term_cap"] = value
        else:
            errors.append(_("%(rule)s：不能修改“%(field)s”。") % {"rule": name, "field": key})
    if fact in MATCHING_FACTS and row["stars_min"] > row["stars_max"]:
        errors.append(_("%(rule)s：最低星级不能高于最高星级。") % {"rule": name})
    if fact in RANGE_FACTS and row["points_min"] is not None and row["points_max"] is not None:
        if row["points_min"] > row["points_max"]:
            errors.append(_("%(rule)s：范围的下限不能大于上限。") % {"rule": name})
        elif (row["points_min"] > 0) != (row["points_max"] > 0):
            errors.append(_("%(rule)s：范围须同为加分或同为减分（加分须经总部长批准，减分即时生效）。") % {
                "rule": name})


def _new_row(spec: dict, position: int, errors: list) -> dict | None:
    """A new attendance rule (fact: a mark), e.g. a third star band of SC-3."""
    row = {"code": (spec.get("code") or "").strip(), "clause": (spec.get("clause") or "").strip(),
           "label": (spec.get("label") or "").strip(), "fact": Fact.MARK, "outcome": spec.get("outcome"),
           "kinds": [], "stars_min": 1, "stars_max": 5, "points": 0, "reach": engine.Reach.PERSON, "term_cap": None,
           "points_min": None, "points_max": None, "position": position}
    missing = [str(label) for key, label in (("code", _("类别")), ("clause", _("条款")), ("label", _("名称")))
               if not row[key]]
    if missing:
        errors.append(_("新增条目：请填写%(fields)s。") % {"fields": "、".join(missing)})
        return None
    if len(row["code"]) > 20 or len(row["clause"]) > 60 or len(row["label"]) > 100:
        errors.append(_("新增条目：条款最多 60 字，名称最多 100 字。"))
        return None
    if row["outcome"] not in STATUS_LABELS:
        errors.append(_("新增条目 %(rule)s：请选择考勤结果。") % {"rule": _words(row)})
        return None
    _apply(row, {key: spec[key] for key in ("kinds", "stars_min", "stars_max", "points") if key in spec}, errors)
    return row


# --- coverage in words ---


def _cell_order(cell: tuple) -> tuple:
    """The engine's own order: facts and outcomes as listed, then session kinds, then stars."""
    fact, kind, stars, outcome = cell
    facts = list(engine.OUTCOMES)
    return (facts.index(fact), engine.OUTCOMES[fact].index(outcome),
            engine.KINDS.index(kind) if kind else -1, stars or 0)


def _runs(cells: list[tuple]) -> list[tuple[tuple, int]]:
    """Cells with consecutive stars of the same kind and outcome merged: (first cell, last star)."""
    runs: list[list] = []
    for cell in sorted(cells, key=_cell_order):
        last = runs[-1] if runs else None
        if (last and cell[0] == Fact.MARK and last[0][0] == cell[0] and last[0][1] == cell[1]
                and last[0][3] == cell[3] and last[1] + 1 == cell[2]):
            last[1] = cell[2]
        else:
            runs.append([cell, cell[2]])
    return [(cell, high) for cell, high in runs]


def coverage_messages(rows: list[dict]) -> list[str]:
    """The engine's coverage problems of these rules, in words: "部门例会 3 星 迟到 同时匹配 2 条规则（…）" and
    "没有规则匹配：值班 1 星 早退". Runs of stars are merged; past ``PROBLEMS_SHOWN`` the rest are counted."""
    rules = [engine.Rule(id=i, fact=row["fact"], outcome=row["outcome"], points=row["points"],
                         kinds=frozenset(row["kinds"]), stars_min=row["stars_min"], stars_max=row["stars_max"])
             for i, row in enumerate(rows)]
    twice, missing = engine.coverage_problems(rules)
    messages = []
    by_rules: dict[tuple, list] = defaultdict(list)
    for cell, ids in twice.items():
        by_rules[tuple(ids)].append(cell)
    for ids, cells in sorted(by_rules.items()):
        for cell, high in _runs(cells):
            messages.append(_("%(cell)s 同时匹配 %(n)s 条规则（%(rules)s）") % {
                "cell": cell_text(cell, high), "n": len(ids), "rules": "、".join(_words(rows[i]) for i in ids)})
    for cell, high in _runs(missing):
        messages.append(_("没有规则匹配：%(cell)s") % {"cell": cell_text(cell, high)})
    if len(messages) > PROBLEMS_SHOWN:
        rest = len(messages) - PROBLEMS_SHOWN
        messages = messages[:PROBLEMS_SHOWN] + [_("另有 %(n)s 处类似问题。") % {"n": rest}]
    return [str(m) for m in messages]


# --- checking the settings ---


def _check_settings(settings: dict) -> list[str]:
    errors = []

    def positive(value, label, *, minimum=1, maximum=None, optional=False):
        if value is None and optional:
            return
        if not _is_int(value) or value < minimum or (maximum is not None and value > maximum):
            if maximum is not None:
                errors.append(_("%(setting)s须为 %(low)s 到 %(high)s 之间的整数。") % {
                    "setting": label, "low": minimum, "high": maximum})
            elif minimum == 0:
                errors.append(_("%(setting)s须为不小于 0 的整数。") % {"setting": label})
            else:
                errors.append(_("%(setting)s须为正整数。") % {"setting": label})

    lates = settings.get("lates_per_absence") or {}
    positive(lates.get("cadre"), _("干部每几次迟到折算一次旷会"), maximum=POINTS_LIMIT)
    positive(lates.get("officer"), _("干事每几次迟到折算一次旷会"), maximum=POINTS_LIMIT)
    ladder = settings.get("ladder") or {}
    criteria = {"lates": _("迟到次数"), "absences": _("旷会次数"), "minutes_not_taken": _("未做会议记录次数")}
    for level in engine.LEVELS:
        thresholds = ladder.get(level) or {}
        for criterion, label in criteria.items():
            positive(thresholds.get(criterion), f"{LEVEL_LABELS[level]} {label}", maximum=POINTS_LIMIT, optional=True)
        for kind, value in (thresholds.get("incidents") or {}).items():
            if kind not in PERSON_INCIDENTS:
                errors.append(_("%(level)s：未知的事项类型“%(kind)s”。") % {"level": LEVEL_LABELS[level], "kind": kind})
            else:
                positive(value, f"{LEVEL_LABELS[level]} {INCIDENT_LABELS[kind]}", maximum=POINTS_LIMIT)
        if not any(thresholds.get(c) is not None for c in criteria) and not thresholds.get("incidents"):
            errors.append(_("%(level)s：至少要有一项达到即提出处分的条件。") % {"level": LEVEL_LABELS[level]})
    for criterion, label in criteria.items():
        values = [(level, (ladder.get(level) or {}).get(criterion)) for level in engine.LEVELS]
        present = [(level, v) for level, v in values if _is_int(v)]
        for (lighter, a), (heavier, b) in zip(present, present[1:], strict=False):
            if b < a:
                errors.append(_("处分阶梯须逐级递增：%(heavier)s的%(criterion)s（%(b)s）不能少于%(lighter)s的"
                                "（%(a)s）。") % {"heavier": LEVEL_LABELS[heavier], "lighter": LEVEL_LABELS[lighter],
                                                "criterion": label, "a": a, "b": b})
    department = ((settings.get("department_ladder") or {}).get("warning") or {}).get("incidents") or {}
    for kind, value in department.items():
        if kind not in DEPARTMENT_INCIDENTS:
            errors.append(_("部门警告：未知的事项类型“%(kind)s”。") % {"kind": kind})
        else:
            positive(value, f"{_('部门警告')} {INCIDENT_LABELS[kind]}", maximum=POINTS_LIMIT)
    if settings.get("discretionary_approval", Approver.PRESIDENT) not in Approver.values:
        errors.append(_("加分审批须为总部长批准或主席团全体成员同意。"))
    if settings.get("careless_proposes") not in (None, *engine.LEVELS):
        errors.append(_("工作马虎提出的处分须为警告、记过、劝退之一，或不提出。"))
    positive(settings.get("eligibility_max_lates_and_absences"), _("评优资格的迟到与旷会合计上限"), minimum=0,
             maximum=POINTS_LIMIT)
    positive(settings.get("award_share_percent"), _("评优名额比例"), maximum=100)
    return [str(e) for e in errors]


# --- a new version ---


def _newest_locked(organisation) -> Rulebook | None:
    return Rulebook.objects.select_for_update().filter(organisation=organisation).order_by("-version").first()


@transaction.atomic
def rulebook_edit(*, organisation, base: Rulebook, changes: dict[int, dict] | None = None,
                  added: list[dict] | None = None, removed=(), settings: dict | None = None, note: str, user,
                  now: dt.datetime) -> Rulebook:
    """A new version of the organisation's rulebook: ``base`` (which must be the newest version) with, for each
    rule id in ``changes``, its fields changed (points; for discretionary rules the range; for attendance rules
    the session kinds, stars and name; for full attendance the kinds; for participation the term cap), the rules in
    ``removed`` left out, the attendance rules in ``added`` added, and ``settings`` (the whole settings, or None
    to keep them). Refused with every problem named: a fact matched by two rules or by none, a bad value, an
    edit that changes nothing, an edit of an outdated version."""
    changes, added, removed = changes or {}, added or [], set(removed)
    if base.organisation_id != organisation.pk or base.tenant_id != organisation.tenant_id:
        raise ValidationError(_("这份考核细则不属于该组织。"))
    newest = _newest_locked(organisation)
    if newest.pk != base.pk:
        raise ValidationError(_("考核细则已有更新的版本（第 %(n)s 版），请在最新版本上修改。") % {"n": newest.version})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写修改说明。")})
    if len(note) > 200:
        raise ValidationError({"note": _("修改说明最多 200 字。")})
    rules = list(Rule.objects.filter(rulebook=base).order_by("position", "pk"))
    known = {rule.pk for rule in rules}
    unknown = (set(changes) | removed) - known
    if unknown:
        raise ValidationError(_("要修改的条目不在第 %(n)s 版中。") % {"n": base.version})
    errors: list = []
    old_rows = [_row(rule) for rule in rules]
    rows = []
    for rule, row in zip(rules, old_rows, strict=True):
        if rule.pk in removed:
            continue
        row = dict(row, kinds=list(row["kinds"]))
        _apply(row, changes.get(rule.pk, {}), errors)
        rows.append(row)
    position = max((row["position"] for row in old_rows), default=-1)
    for spec in added:
        position += 1
        row = _new_row(spec, position, errors)
        if row is not None:
            rows.append(row)
    new_settings = copy.deepcopy(base.settings) if settings is None else settings
    errors += _check_settings(new_settings)
    if errors:
        raise ValidationError([str(e) for e in errors])
    problems = coverage_messages(rows)
    if problems:
        raise ValidationError(problems)
    if rows == old_rows and new_settings == base.settings:
        raise ValidationError(_("没有任何修改，未生成新版本。"))
    rulebook = Rulebook.objects.create(tenant_id=organisation.tenant_id, organisation=organisation,
                                       version=newest.version + 1, settings=new_settings, note=note,
                                       created_by=user, created_at=now)
    Rule.objects.bulk_create([Rule(tenant_id=organisation.tenant_id, rulebook=rulebook, **row) for row in rows])
    return rulebook
