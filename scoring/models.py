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
                                help_text=_("处分阶梯阈值、评优资格与名额比例等。"))
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
    code = models.CharField(_("类别"), max_length=20, help_text=_("细则中的类别（内部编号，页面上显示类别名称）。"))
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
    points_min = models.SmallIntegerField(_("最低分值"), null=True, blank=True,
                                          help_text=_("酌情加减分：办公室录入的分值须在此范围内。"))
    points_max = models.SmallIntegerField(_("最高分值"), null=True, blank=True)
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
        return f"{self.clause} {self.label}"


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

    def __str__(self):
        return f"{self.organisation} · {self.term} · {self.rulebook}"


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

    def __str__(self):
        return f"{self.person} · {self.rule} · {self.points:+d}"


class MemberScore(TenantOwned):
    """What the ledger sync leaves for each member of a term, so that the score pages read it instead of
    recomputing the term on every view: the sum and the number of their ledger entries and their ladder counts
    (``scoring.engine.Counts``). Kept by ``scoring.services.ledger_sync`` with the ledger, in its transaction, so
    it always equals the stored ledger and a from-scratch count of the term's facts. A member without a row has
    no entry and nothing counted."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    person = tenant_fk("members.Person", related_name="+", verbose_name=_("人员"))
    points = models.IntegerField(_("积分变动合计"), default=0)
    entries = models.PositiveIntegerField(_("积分记录数"), default=0)
    lates = models.PositiveIntegerField(_("迟到"), default=0)
    absences = models.PositiveIntegerField(_("旷会"), default=0)
    extra_absences = models.PositiveIntegerField(_("迟到折算旷会"), default=0)
    minutes_not_taken = models.PositiveIntegerField(_("未做会议记录"), default=0)
    careless = models.PositiveIntegerField(_("工作马虎"), default=0)
    incidents = models.JSONField(_("违纪情况"), default=dict, blank=True)

    #: The columns that hold ``engine.Counts``'s numbers, named as its fields (``incidents`` beside them).
    COUNT_FIELDS = ("lates", "absences", "extra_absences", "minutes_not_taken", "careless")

    class Meta:
        verbose_name = _("学期积分汇总")
        verbose_name_plural = _("学期积分汇总")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "term", "person"],
                                    name="member_score_one_per_term"),
        ]
        indexes = [models.Index(fields=["tenant", "person", "term"], name="member_score_tenant_person")]

    def __str__(self):
        return f"{self.person} · {self.term} · {self.points:+d}"


class TermSync(TenantOwned):
    """Whether an organisation's term has facts its ledger has not seen yet (docs/scoring.md, "When the ledger
    is synced"). A change of the facts counts up ``requested`` in its own transaction; a sync records in
    ``synced`` the count it read before loading the facts, so ``synced < requested`` means a sync is still due.
    ``queued_at``: when a sync task was last sent, so a burst of saves sends one, not one each."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    requested = models.PositiveBigIntegerField(_("修改次数"), default=0)
    synced = models.PositiveBigIntegerField(_("已计入"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    synced_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分计算状态")
        verbose_name_plural = _("积分计算状态")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "term"], name="term_sync_one_per_term"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.term} · {self.synced}/{self.requested}"


# --- incidents (SC-11, SC-14) ---

#: A row about a member or about a department, never both, never neither.
ONE_OF_PERSON_OR_DEPARTMENT = (Q(person__isnull=False) & Q(department__isnull=True)) | (
    Q(person__isnull=True) & Q(department__isnull=False))



class IncidentKind(models.TextChoices):
    """What the ladder counts besides marks (附录): for members, and for departments (SC-14)."""

    RECTIFICATION = "rectification", _("整改不到位")
    PERFUNCTORY = "perfunctory", _("计划或总结敷衍了事")
    DISOBEDIENCE = "disobedience", _("不服从工作安排")
    NO_PROPOSAL = "no_proposal", _("整学期未提出建设性意见")
    MINOR_DAMAGE = "minor_damage", _("损坏公物（轻微）")
    SERIOUS_DAMAGE = "serious_damage", _("损坏公物（严重）")
    ERROR = "error", _("工作失误，影响工作")
    MAJOR_ERROR = "major_error", _("重大失误")
    MISCONDUCT = "misconduct", _("作风问题（态度、声誉、以权谋私）")
    PROPOSAL_LATE = "proposal_late", _("活动方案迟交")
    MEETING_NOT_HELD = "meeting_not_held", _("例会未按时召开")
    HANDBACK_LATE = "handback_late", _("活动物品未按时归还或资料未按时收集")
    ACTIVITY_FAILED = "activity_failed", _("已批准的活动因失误未能开展")


class Incident(TenantOwned):
    """An incident the office records against a member or a department, on a date."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    kind = models.CharField(_("类型"), max_length=30, choices=IncidentKind.choices)
    person = tenant_fk("members.Person", null=True, blank=True, related_name="+", verbose_name=_("人员"))
    department = tenant_fk("orgs.Department", null=True, blank=True, related_name="+", verbose_name=_("部门"))
    on = models.DateField(_("日期"))
    note = models.CharField(_("情况说明"), max_length=200)
    recorded_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("违纪事项")
        verbose_name_plural = _("违纪事项")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_OF_PERSON_OR_DEPARTMENT,
                                   name="incident_person_or_department"),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "on"], name="incident_tenant_org_on"),
            models.Index(fields=["tenant", "person"], name="incident_tenant_person"),
            models.Index(fields=["tenant", "department"], name="incident_tenant_department"),
        ]

    def __str__(self):
        return f"{self.person or self.department} · {self.get_kind_display()} · {self.on:%Y-%m-%d}"


# --- discretionary entries (酌情加减分, SC-9) ---


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    REVOKED = "revoked", _("已撤销")


class Approver(models.TextChoices):
    """Who approves a positive discretionary entry (SC-9; 第六条 注: 得到所有人认可方可加分): a rulebook setting."""

    PRESIDENT = "president", _("总部长批准")
    PRESIDIUM = "presidium", _("主席团全体成员同意")


class DiscretionaryEntry(TenantOwned):
    """Points the office enters with a reason, within the range of their rule (a discretionary rule of the
    term's rulebook). Positive ones count once approved; negative ones count at once (``approval`` blank)."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    rule = tenant_fk(Rule, related_name="+", verbose_name=_("考核条目"))
    person = tenant_fk("members.Person", null=True, blank=True, related_name="+", verbose_name=_("人员"))
    department = tenant_fk("orgs.Department", null=True, blank=True, related_name="+", verbose_name=_("部门"))
    points = models.SmallIntegerField(_("分值"))
    reason = models.CharField(_("理由"), max_length=200)
    on = models.DateField(_("日期"))
    entered_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"))
    approval = models.CharField(_("审批"), max_length=20, choices=ApprovalStatus.choices, blank=True)
    decided_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    revoked_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("撤销人"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("酌情加减分")
        verbose_name_plural = _("酌情加减分")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_OF_PERSON_OR_DEPARTMENT,
                                   name="discretionary_person_or_department"),
            models.CheckConstraint(condition=~Q(points=0), name="discretionary_not_zero"),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "term"], name="discretionary_tenant_org_term"),
            models.Index(fields=["tenant", "person"], name="discretionary_tenant_person"),
        ]

    def counts(self) -> bool:
        return self.points < 0 or self.approval == ApprovalStatus.APPROVED

    def __str__(self):
        return f"{self.person or self.department} · {self.rule} · {self.points:+d}"


class DiscretionaryVote(TenantOwned):
    """One presidium member's say on a pending positive entry, where the rulebook asks the whole presidium
    (``Approver.PRESIDIUM``): the entry counts once every current member has agreed; one refusal refuses it."""

    entry = tenant_fk(DiscretionaryEntry, on_delete=models.CASCADE, related_name="votes", verbose_name=_("酌情加减分"))
    user = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                             verbose_name=_("主席团成员"))
    agree = models.BooleanField(_("同意"))
    note = models.CharField(_("意见"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("主席团意见")
        verbose_name_plural = _("主席团意见")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "entry", "user"], name="discretionary_vote_one_per_user"),
        ]

    def __str__(self):
        return f"{self.entry} · {self.user}"


# --- the sanction ladder (SC-10, SC-11, SC-14) ---


class Level(models.TextChoices):
    WARNING = "warning", _("警告")
    DEMERIT = "demerit", _("记过")
    DISMISSAL = "dismissal", _("劝退")


#: Heavier levels compare greater.
LEVEL_RANK = {Level.WARNING: 1, Level.DEMERIT: 2, Level.DISMISSAL: 3}


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    SUBMITTED = "submitted", _("已提交总部长")
    CONFIRMED = "confirmed", _("已确认")
    FILED = "filed", _("已备案")
    DISMISSED = "dismissed", _("已驳回")
    REVOKED = "revoked", _("已撤销")


class Sanction(TenantOwned):
    """A sanction of a member (or a department, SC-14) in a term: proposed by the ladder, reviewed by the office,
    confirmed or dismissed by the president with a reason, filed (备案) with a number and date, and revoked
    only by an explicit act. ``basis`` is what the ladder counted when it proposed it; ``basis_withdrawn`` is
    set while the counts no longer reach its level (a corrected mark), until it is dismissed."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    person = tenant_fk("members.Person", null=True, blank=True, related_name="+", verbose_name=_("人员"))
    department = tenant_fk("orgs.Department", null=True, blank=True, related_name="+", verbose_name=_("部门"))
    level = models.CharField(_("处分"), max_length=20, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=20, choices=SanctionStatus.choices,
                              default=SanctionStatus.PROPOSED)
    basis = models.JSONField(_("依据"), default=dict)
    basis_withdrawn = models.BooleanField(_("依据已撤回"), default=False)
    proposed_at = models.DateTimeField(_("提出时间"))
    submitted_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True,
                                     db_index=False, related_name="+", verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.CharField(_("决定理由"), max_length=200, blank=True)
    filed_number = models.CharField(_("备案编号"), max_length=40, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filed_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                 related_name="+", verbose_name=_("备案人"))
    revoked_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("撤销人"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("处分")
        verbose_name_plural = _("处分")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_OF_PERSON_OR_DEPARTMENT,
                                   name="sanction_person_or_department"),
            models.UniqueConstraint(fields=["tenant", "organisation", "term", "person", "level"],
                                    condition=Q(status__in=["proposed", "submitted", "confirmed", "filed"]),
                                    name="sanction_one_open_per_person_level"),
            models.UniqueConstraint(fields=["tenant", "organisation", "term", "department", "level"],
                                    condition=Q(status__in=["proposed", "submitted", "confirmed", "filed"]),
                                    name="sanction_one_open_per_department_level"),
            models.UniqueConstraint(fields=["tenant", "organisation", "filed_number"],
                                    condition=~Q(filed_number=""), name="sanction_unique_filed_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "term", "status"], name="sanction_tenant_org_term"),
            models.Index(fields=["tenant", "person"], name="sanction_tenant_person"),
            models.Index(fields=["tenant", "department"], name="sanction_tenant_department"),
        ]

    def allowed_acts(self, *, office: bool, president: bool) -> frozenset[str]:
        """The acts its state allows to someone of the organisation's office and/or its president, in the
        order of the rulebook: the office reviews a proposal and submits it (or dismisses it), the president
        confirms or dismisses what was submitted, the office files a confirmed one, the president revokes a
        confirmed or filed one. The services refuse anything else; the pages offer only these."""
        acts = set()
        if self.status == SanctionStatus.PROPOSED and office:
            acts |= {"submit", "dismiss"}
        elif self.status == SanctionStatus.SUBMITTED and president:
            acts |= {"confirm", "dismiss"}
        elif self.status == SanctionStatus.CONFIRMED:
            acts |= ({"file"} if office else set()) | ({"revoke"} if president else set())
        elif self.status == SanctionStatus.FILED and president:
            acts.add("revoke")
        return frozenset(acts)

    def __str__(self):
        return f"{self.person or self.department} · {self.get_level_display()} · {self.term}"


# --- awards (SC-12, SC-13) ---


class AwardCategory(models.TextChoices):
    OFFICER = "officer", _("优秀干事")
    CADRE = "cadre", _("优秀干部")


class AwardStatus(models.TextChoices):
    PROPOSED = "proposed", _("部长已推荐")
    CONFIRMED = "confirmed", _("办公室已确认")


class Award(TenantOwned):
    """One member on a department's award list of a term: proposed by the department's head (from the list the
    engine computes), confirmed by the office. ``score`` is the term score when proposed."""

    organisation = tenant_fk("orgs.Organisation", related_name="+", verbose_name=_("组织"))
    term = tenant_fk("orgs.Term", related_name="+", verbose_name=_("学期"))
    department = tenant_fk("orgs.Department", related_name="+", verbose_name=_("部门"))
    category = models.CharField(_("奖项"), max_length=20, choices=AwardCategory.choices)
    person = tenant_fk("members.Person", related_name="+", verbose_name=_("人员"))
    score = models.SmallIntegerField(_("学期积分"))
    status = models.CharField(_("状态"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.PROPOSED)
    proposed_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                    verbose_name=_("推荐人"))
    proposed_at = models.DateTimeField(_("推荐时间"))
    confirmed_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True,
                                     db_index=False, related_name="+", verbose_name=_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评优")
        verbose_name_plural = _("评优")
        ordering = ["department", "category", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "term", "category", "person"],
                                    name="award_one_per_person_category"),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "term", "department"], name="award_tenant_org_term"),
            models.Index(fields=["tenant", "person"], name="award_tenant_person"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_category_display()} · {self.term}"
