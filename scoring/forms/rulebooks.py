"""The rulebook edit form: one form over the newest version's rules and settings. It only parses numbers and
choices; ``scoring.services.rulebooks.rulebook_edit`` decides what is allowed (ranges, coverage, a change at all)."""

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring import engine
from scoring.models import Approver
from scoring.selectors.rulebooks import (
    CAP_FACTS,
    CODE_TITLES,
    CRITERION_LABELS,
    DEPARTMENT_INCIDENTS,
    INCIDENT_LABELS,
    KIND_LABELS,
    KINDS_FACTS,
    LEVEL_LABELS,
    MATCHING_FACTS,
    PERSON_INCIDENTS,
    RANGE_FACTS,
    STATUS_LABELS,
    rule_groups,
)

LIMIT = 100
STARS = [(n, str(n)) for n in engine.STARS]
KINDS = [(kind, KIND_LABELS[kind]) for kind in engine.KINDS]
#: The groups a new (attendance) rule may join: the attendance groups of the default rulebook.
NEW_RULE_GROUPS = ("SC-1", "SC-2", "SC-3")


def _points(**kwargs):
    return forms.IntegerField(min_value=-LIMIT, max_value=LIMIT, widget=forms.NumberInput(attrs={"class": "points"}),
                              **kwargs)


def _count(*, required=False, minimum=1, maximum=LIMIT, **kwargs):
    return forms.IntegerField(min_value=minimum, max_value=maximum, required=required,
                              widget=forms.NumberInput(attrs={"class": "count"}), **kwargs)


class RulebookForm(forms.Form):
    base = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("修改说明"), max_length=200,
                           help_text=_("写明改了什么、为什么，例如“其他会议与值班按 4 星分档”。保存后生成新版本。"))

    def __init__(self, *args, rulebook, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rulebook, self.rules = rulebook, rules
        self.fields["base"].initial = rulebook.version
        for rule in rules:
            self._rule_fields(rule)
        self._new_rule_fields()
        self._settings_fields(rulebook.settings)

    # --- fields ---

    def _rule_fields(self, rule):
        p = f"r{rule.pk}_"
        if rule.fact in RANGE_FACTS:
            self.fields[p + "points_min"] = _points(label=_("最低分值"), initial=rule.points_min)
            self.fields[p + "points_max"] = _points(label=_("最高分值"), initial=rule.points_max)
        else:
            self.fields[p + "points"] = _points(label=_("分值"), initial=rule.points)
        if rule.fact in KINDS_FACTS:
            self.fields[p + "kinds"] = forms.MultipleChoiceField(
                label=_("会议类型"), choices=KINDS, initial=list(rule.kinds), required=False,
                widget=forms.CheckboxSelectMultiple)
        if rule.fact in MATCHING_FACTS:
            self.fields[p + "stars_min"] = forms.TypedChoiceField(label=_("最低星级"), choices=STARS, coerce=int,
                                                                  initial=rule.stars_min)
            self.fields[p + "stars_max"] = forms.TypedChoiceField(label=_("最高星级"), choices=STARS, coerce=int,
                                                                  initial=rule.stars_max)
            self.fields[p + "label"] = forms.CharField(label=_("名称"), max_length=100, initial=rule.label)
            self.fields[p + "delete"] = forms.BooleanField(label=_("删除"), required=False)
        if rule.fact in CAP_FACTS:
            self.fields[p + "term_cap"] = _count(label=_("每学期上限"), initial=rule.term_cap)

    def _new_rule_fields(self):
        # the group a new attendance rule joins, by its title (the code is internal and never shown)
        self.fields["new_code"] = forms.ChoiceField(label=_("类别"), required=False, choices=[
            ("", "—"), *((code, CODE_TITLES[code]) for code in NEW_RULE_GROUPS)])
        self.fields["new_clause"] = forms.CharField(label=_("条款"), max_length=60, required=False,
                                                    widget=forms.TextInput(attrs={"placeholder": _("第七条 细则 3")}))
        self.fields["new_label"] = forms.CharField(label=_("名称"), max_length=100, required=False)
        self.fields["new_outcome"] = forms.ChoiceField(label=_("考勤结果"), required=False,
                                                       choices=[("", "—"), *STATUS_LABELS.items()])
        self.fields["new_kinds"] = forms.MultipleChoiceField(label=_("会议类型"), choices=KINDS, required=False,
                                                             widget=forms.CheckboxSelectMultiple)
        self.fields["new_stars_min"] = forms.TypedChoiceField(label=_("最低星级"), choices=STARS, coerce=int,
                                                              initial=1)
        self.fields["new_stars_max"] = forms.TypedChoiceField(label=_("最高星级"), choices=STARS, coerce=int,
                                                              initial=5)
        self.fields["new_points"] = _points(label=_("分值"), required=False)

    def _settings_fields(self, settings):
        lates = settings.get("lates_per_absence", {})
        self.fields["s_lates_cadre"] = _count(label=_("干部每几次迟到折算一次旷会"), required=True,
                                              initial=lates.get("cadre"))
        self.fields["s_lates_officer"] = _count(label=_("干事每几次迟到折算一次旷会"), required=True,
                                                initial=lates.get("officer"))
        ladder = settings.get("ladder", {})
        for level in engine.LEVELS:
            thresholds = ladder.get(level, {})
            for criterion, label in CRITERION_LABELS.items():
                self.fields[f"s_{level}_{criterion}"] = _count(label=f"{LEVEL_LABELS[level]} · {label}",
                                                               initial=thresholds.get(criterion))
            for kind in PERSON_INCIDENTS:
                self.fields[f"s_{level}_{kind}"] = _count(label=f"{LEVEL_LABELS[level]} · {INCIDENT_LABELS[kind]}",
                                                          initial=thresholds.get("incidents", {}).get(kind))
        department = settings.get("department_ladder", {}).get("warning", {}).get("incidents", {})
        for kind in DEPARTMENT_INCIDENTS:
            self.fields[f"s_dept_{kind}"] = _count(label=INCIDENT_LABELS[kind], initial=department.get(kind))
        self.fields["s_careless"] = forms.ChoiceField(
            label=_("“工作马虎”（第七条 细则 8）同时提出"), required=False,
            choices=[("", _("不提出处分")), *LEVEL_LABELS.items()], initial=settings.get("careless_proposes") or "")
        self.fields["s_approval"] = forms.ChoiceField(
            label=_("加分审批"), choices=Approver.choices,
            initial=settings.get("discretionary_approval", Approver.PRESIDENT),
            help_text=_("第六条 注：加分须“得到所有人认可”。默认由总部长批准；也可要求主席团全体成员同意，"
                        "一人不同意即不批准。"))
        self.fields["s_eligibility"] = _count(
            label=_("评优资格：迟到与旷会合计最多（次）"), required=True, minimum=0,
            initial=settings.get("eligibility_max_lates_and_absences"),
            help_text=_("按记录计，不含迟到折算。默认：3 次及以上不得评优，即最多 2 次。"))
        self.fields["s_share"] = _count(label=_("评优名额比例（%）"), required=True, maximum=100,
                                        initial=settings.get("award_share_percent"),
                                        help_text=_("按部门人数计，四舍五入，部门有合格人选时至少 1 名。"))

    # --- what the template shows ---

    def rule_groups(self):
        """The rules grouped by SPEC id, each row with its bound fields (points, kinds, stars, range, cap)."""
        groups = rule_groups(self.rules)
        for group in groups:
            for row in group.rows:
                p = f"r{row.rule.pk}_"
                row.fields = {name.removeprefix(p): self[name] for name in self.fields if name.startswith(p)}
        return groups

    def ladder_rows(self):
        rows = [(label, [self[f"s_{level}_{criterion}"] for level in engine.LEVELS])
                for criterion, label in CRITERION_LABELS.items()]
        rows += [(INCIDENT_LABELS[kind], [self[f"s_{level}_{kind}"] for level in engine.LEVELS])
                 for kind in PERSON_INCIDENTS]
        return rows

    def department_fields(self):
        return [self[f"s_dept_{kind}"] for kind in DEPARTMENT_INCIDENTS]

    def new_rule_fields(self):
        return [self[name] for name in self.fields if name.startswith("new_")]

    def error_summary(self) -> list[str]:
        """The fields' errors in one list for the top of the page, each naming its rule (the form is long)."""
        rules = {f"r{rule.pk}": rule.label for rule in self.rules}
        lines = []
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            rule = rules.get(name.split("_")[0])
            title = f"{rule} · {self.fields[name].label}" if rule else str(self.fields[name].label)
            lines += [f"{title}：{error}" for error in errors]
        return lines

    def levels(self):
        return [LEVEL_LABELS[level] for level in engine.LEVELS]

    # --- what the service gets ---

    def clean(self):
        data = super().clean()
        if data.get("base") is not None and data["base"] != self.rulebook.version:
            raise forms.ValidationError(_("考核细则已有更新的版本（第 %(n)s 版），请刷新页面后在最新版本上修改。") % {
                "n": self.rulebook.version})
        return data

    def edit(self) -> dict:
        """The keyword arguments of ``rulebook_edit`` (besides organisation, base, user and now)."""
        data = self.cleaned_data
        changes, removed = {}, []
        for rule in self.rules:
            p = f"r{rule.pk}_"
            change = {}
            for name in ("label", "points", "points_min", "points_max", "kinds", "stars_min", "stars_max",
                         "term_cap"):
                if p + name in self.fields:
                    change[name] = data.get(p + name)
            if data.get(p + "delete"):
                removed.append(rule.pk)
            changes[rule.pk] = change
        added = []
        if any(data.get(name) not in (None, "", []) for name in ("new_code", "new_clause", "new_label",
                                                                 "new_outcome", "new_kinds", "new_points")):
            added.append({"code": data.get("new_code"), "clause": data.get("new_clause"),
                          "label": data.get("new_label"), "outcome": data.get("new_outcome"),
                          "kinds": data.get("new_kinds") or [], "stars_min": data.get("new_stars_min"),
                          "stars_max": data.get("new_stars_max"), "points": data.get("new_points") or 0})
        return {"changes": changes, "removed": removed, "added": added, "settings": self._settings(),
                "note": data["note"]}

    def _settings(self) -> dict:
        data = self.cleaned_data
        settings = copy.deepcopy(self.rulebook.settings)
        settings["lates_per_absence"] = {**settings.get("lates_per_absence", {}), "cadre": data["s_lates_cadre"],
                                         "officer": data["s_lates_officer"]}
        ladder = settings.setdefault("ladder", {})
        for level in engine.LEVELS:
            thresholds = ladder.setdefault(level, {})
            for criterion in CRITERION_LABELS:
                _put(thresholds, criterion, data.get(f"s_{level}_{criterion}"))
            incidents = {kind: data[f"s_{level}_{kind}"] for kind in PERSON_INCIDENTS
                         if data.get(f"s_{level}_{kind}") is not None}
            if incidents or "incidents" in thresholds:
                thresholds["incidents"] = incidents
        department = {kind: data[f"s_dept_{kind}"] for kind in DEPARTMENT_INCIDENTS
                      if data.get(f"s_dept_{kind}") is not None}
        if department or "department_ladder" in settings:
            settings.setdefault("department_ladder", {}).setdefault("warning", {})["incidents"] = department
        _put(settings, "careless_proposes", data.get("s_careless") or None)
        if data["s_approval"] != settings.get("discretionary_approval", Approver.PRESIDENT):
            settings["discretionary_approval"] = data["s_approval"]  # absent means the default: kept absent
        settings["eligibility_max_lates_and_absences"] = data["s_eligibility"]
        settings["award_share_percent"] = data["s_share"]
        return settings


def _put(mapping: dict, key: str, value) -> None:
    """Set a value; a blank one removes the key (absent and blank mean the same: not counted)."""
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value

