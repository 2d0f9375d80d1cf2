"""Rulebooks as data, the terms bound to them, and the points ledger (SPEC SC-1 … SC-15).

A ``Rulebook`` is one *version* of an organisation's rules and settings. Versions are never edited in place:
an edit makes a new version, so a closed term keeps the version it ran under (``TermRulebook``) and its scores
never move; an open term moves to a new version only by the explicit re-scoring action.

``LedgerEntry`` is the stored ledger: one row per (person, rule, fact). It always equals what
``scoring.engine.compute`` gives for the term's facts; ``scoring.services.ledger_sync`` keeps it so.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.tenancy import TenantOwned, tenant_fk
from scoring.engine import OUTCOMES, Reach


class Rulebook(TenantOwned):
    organisation = tenant_fk("orgs.Organisation", related_name="rulebooks", verbose_name=_("组织"))
    version = models.PositiveIntegerField(_("版本"))
    settings = models.JSONField(_("设置"), default=dict, blank=True,
                                help_text=_("处分阶梯阈值、评优资格与名额比例等（SC-10 … SC-14）。"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("修改人"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("考核细则")
        verbose_name_plural = _("考核细则")
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "version"], name="rulebook_unique_version"),
        ]

    def __str__(self):
        return f"{self.organisation} v{self.version}"


class Rule(TenantOwned):
    """One rule of a rulebook: the fact and outcome it matches (for marks also session kinds and stars), its
    points, whom they reach, and the clause of the source document it comes from."""

    FACTS = [(fact, fact) for fact in OUTCOMES]

    rulebook = tenant_fk(Rulebook, on_delete=models.CASCADE, related_name="rules", verbose_name=_("考核细则"))
    code = models.CharField(_("条目"), max_length=20, help_text=_("SPEC 编号，如 SC-1。"))
    clause = models.CharField(_("条款"), max_length=60, help_text=_("原文条款，如 第五条 1(1)。"))
    label = models.CharField(_("名称"), max_length=100)
    fact = models.CharField(_("事实"), max_length=40, choices=FACTS)
    outcome = models.CharField(_("结果"), max_length=40)
    kinds = models.JSONField(_("会议类型"), default=list, blank=True)
    stars_min = models.PositiveSmallIntegerField(_("最低星级"), default=1)
    stars_max = models.PositiveSmallIntegerField(_("最高星级"), default=5)
    points = models.SmallIntegerField(_("分值"))
    reach = models.CharField(_("加减分对象"), max_length=30, default=Reach.PERSON, choices=[
        (Reach.PERSON, _("本人")), (Reach.DEPARTMENT_OFFICERS, _("该部门每位干事")),
        (Reach.DEPARTMENT_MEMBERS, _("该部门全体成员（部长及干事）")),
    ])
    term_cap = models.PositiveSmallIntegerField(_("每学期上限"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核条目")
        verbose_name_plural = _("考核条目")
        ordering = ["rulebook", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stars_min__gte=1) & Q(stars_max__lte=5) & Q(
                stars_min__lte=models.F("stars_max")), name="rule_stars_range"),
        ]
        indexes = [models.Index(fields=["tenant", "rulebook", "position"], name="rule_tenant_rulebook")]

    def __str__(self):
        return f"{self.code} {self.label}"


class TermRulebook(TenantOwned):
    """The rulebook version an organisation's term is scored under."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    rulebook = tenant_fk(Rulebook, related_name="terms", verbose_name=_("考核细则"))
    bound_at = models.DateTimeField(_("启用时间"))

    class Meta:
        verbose_name = _("学期所用细则")
        verbose_name_plural = _("学期所用细则")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "term"], name="term_rulebook_one_per_term"),
        ]
        indexes = [models.Index(fields=["tenant", "rulebook"], name="term_rulebook_tenant_rulebook")]


class LedgerEntry(TenantOwned):
    """One change of one member's term score: the rule that applied to which fact, on which date."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    person = tenant_fk("members.Person", related_name="ledger_entries", verbose_name=_("人员"))
    rule = tenant_fk(Rule, related_name="entries", verbose_name=_("考核条目"))
    fact_type = models.CharField(_("事实类型"), max_length=40)
    fact_key = models.CharField(_("事实"), max_length=40)
    points = models.SmallIntegerField(_("分值"))
    on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "term", "person", "rule", "fact_type",
                                            "fact_key"], name="ledger_one_entry_per_fact"),
        ]
        indexes = [
            models.Index(fields=["tenant", "person", "term"], name="ledger_tenant_person_term"),
            models.Index(fields=["tenant", "rule"], name="ledger_tenant_rule"),
        ]

