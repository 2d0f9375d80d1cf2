"""The school and its structure (SPEC OR-1, OR-2, OR-5, OR-6)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs import calendar, policies
from orgs.modules import MODULES
from orgs.tenancy import TenantOwned, tenant_fk


def _validate_modules(value):
    if not isinstance(value, list) or any(key not in MODULES for key in value):
        raise ValidationError(_("未知模块：%(value)s"), params={"value": value})


class Tenant(models.Model):
    """A school. Not tenant-owned itself: the platform admin manages the list."""

    slug = models.CharField(
        _("代码"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]{1,31}$", _("小写字母开头，只含小写字母、数字和下划线。"))],
    )
    name = models.CharField(_("学校名称"), max_length=100)
    modules = models.JSONField(_("已启用模块"), default=list, blank=True, validators=[_validate_modules])
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学校（租户）")
        verbose_name_plural = _("学校（租户）")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def has_module(self, key: str) -> bool:
        return key in self.modules


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Term(TenantOwned):
    """A teaching term (学期). Its teaching weeks follow SPEC OR-1; see orgs.calendar."""

    name = models.CharField(_("学期名称"), max_length=60)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="term_unique_name"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="term_end_after_start"),
        ]
        indexes = [models.Index(fields=["tenant", "start"], name="term_tenant_start")]

    def __str__(self):
        return self.name

    def teaching_week(self, day):
        return calendar.teaching_week(self.start, self.end, day)

    def monday_of_double_week(self, n):
        return calendar.monday_of_double_week(self.start, self.end, n)

    @property
    def week_count(self):
        return calendar.week_count(self.start, self.end)


class College(TenantOwned):
    """二级学院/系."""

    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("学院")
        verbose_name_plural = _("学院")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="college_unique_code")]

    def __str__(self):
        return self.name


class Major(TenantOwned):
    college = tenant_fk(College, verbose_name=_("学院"), related_name="majors")
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="major_unique_code")]
        indexes = [models.Index(fields=["tenant", "college"], name="major_tenant_college")]

    def __str__(self):
        return self.name


class SchoolClass(TenantOwned):
    """A class (班级) of one major and one enrolment year."""

    major = tenant_fk(Major, verbose_name=_("专业"), related_name="classes")
    college = tenant_fk(College, verbose_name=_("学院"), related_name="classes", editable=False)
    name = models.CharField(_("班级名称"), max_length=100)
    enrolment_year = models.PositiveSmallIntegerField(
        _("入学年份"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["-enrolment_year", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="class_unique_name")]
        indexes = [
            models.Index(fields=["tenant", "major"], name="class_tenant_major"),
            models.Index(fields=["tenant", "college", "enrolment_year"], name="class_tenant_college_year"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The college is the major's: stored so that college-scoped roles filter classes without a join.
        self.college_id = self.major.college_id
        super().save(*args, **kwargs)


class Building(TenantOwned):
    name = models.CharField(_("楼栋"), max_length=60)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="building_unique_name")]

    def __str__(self):
        return self.name


class Floor(TenantOwned):
    building = tenant_fk(Building, on_delete=models.CASCADE, verbose_name=_("楼栋"), related_name="floors")
    number = models.SmallIntegerField(_("楼层"))

    class Meta:
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        ordering = ["building__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "building", "number"], name="floor_unique_number")
        ]

    def __str__(self):
        return _("%(building)s %(number)s层") % {"building": self.building.name, "number": self.number}


class Room(TenantOwned):
    """A dorm room (寝室) with the gender of its residents and its number of beds."""

    floor = tenant_fk(Floor, verbose_name=_("楼层"), related_name="rooms")
    building = tenant_fk(Building, verbose_name=_("楼栋"), related_name="rooms", editable=False)
    number = models.CharField(_("房间号"), max_length=20)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    capacity = models.PositiveSmallIntegerField(
        _("床位数"), validators=[MinValueValidator(1), MaxValueValidator(16)]
    )

    class Meta:
        verbose_name = _("寝室")
        verbose_name_plural = _("寝室")
        ordering = ["building__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "building", "number"], name="room_unique_number"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "floor"], name="room_tenant_floor")]

    def __str__(self):
        return f"{self.building.name} {self.number}"

    def save(self, *args, **kwargs):
        self.building_id = self.floor.building_id
        super().save(*args, **kwargs)


class OrganisationKind(models.TextChoices):
    ALLIANCE = "alliance", _("朋辈互助联盟")
    SCHOOL_UNION = "school_union", _("校学生会")
    COLLEGE_UNION = "college_union", _("院学生会")
    CLASS_COMMITTEE = "class_committee", _("班委")
    PARTY_BRANCH = "party_branch", _("学生党支部")
    PSYCH_STATION = "psych_station", _("二级心理辅导站")
    COMMUNITY = "community", _("学生社区")
    FUNCTIONAL_BRANCH = "functional_branch", _("功能型党支部")
    OTHER = "other", _("其他组织")


class Organisation(TenantOwned):
    """Any student organisation (OR-2), nested: a school union above college unions."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    parent = tenant_fk(
        "self", null=True, blank=True, verbose_name=_("上级组织"), related_name="children"
    )
    college = tenant_fk(
        College, null=True, blank=True, verbose_name=_("所属学院"), related_name="organisations",
        help_text=_("学院级组织填写；全校性组织留空。"),
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="organisation_unique_name")]
        indexes = [
            models.Index(fields=["tenant", "kind"], name="org_tenant_kind"),
            models.Index(fields=["tenant", "parent"], name="org_tenant_parent"),
            models.Index(fields=["tenant", "college"], name="org_tenant_college"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if ancestor.pk == self.pk or ancestor.pk in seen:
                raise ValidationError({"parent": _("上级组织不能是它自己或它的下级。")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Department(TenantOwned):
    organisation = tenant_fk(
        Organisation, on_delete=models.CASCADE, verbose_name=_("组织"), related_name="departments"
    )
    name = models.CharField(_("部门名称"), max_length=60)
    is_presidium = models.BooleanField(
        _("主席团"), default=False, help_text=_("主席团在评优名额中按一个部门计算。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "name"], name="department_unique_name")
        ]

    def __str__(self):
        return self.name


class PositionCategory(models.TextChoices):
    CADRE = "cadre", _("干部")
    OFFICER = "officer", _("干事")


class Position(TenantOwned):
    """A post in an organisation: a cadre (主席、部长、副部长…) or an officer (干事)."""

    organisation = tenant_fk(
        Organisation, on_delete=models.CASCADE, verbose_name=_("组织"), related_name="positions"
    )
    name = models.CharField(_("职务"), max_length=40)
    category = models.CharField(_("类别"), max_length=10, choices=PositionCategory.choices)
    rank = models.PositiveSmallIntegerField(_("级别"), default=50, help_text=_("数字越小职务越高。"))

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "organisation", "name"], name="position_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def is_cadre(self):
        return self.category == PositionCategory.CADRE


class PolicyValue(TenantOwned):
    """One change of one tenant policy (OR-6). History: a change is a new row, effective from a date."""

    key = models.CharField(_("参数"), max_length=80)
    value = models.JSONField(_("取值"))
    effective_from = models.DateField(_("生效日期"))
    changed_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
        related_name="+", verbose_name=_("修改人"),
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("政策参数变更")
        verbose_name_plural = _("政策参数变更")
        ordering = ["key", "-effective_from", "-changed_at"]
        indexes = [models.Index(fields=["tenant", "key", "effective_from"], name="policy_tenant_key_from")]

    def __str__(self):
        policy = policies.REGISTRY.get(self.key)
        return _("%(policy)s：%(value)s%(unit)s（%(date)s 起）") % {
            "policy": policy.label if policy else self.key, "value": self.value,
            "unit": policy.unit if policy else "", "date": self.effective_from}


class PlatformAccess(models.Model):
    """One page of a school opened by the platform admin: who, when, which page (its URL name), never what
    it showed. Written by ``orgs.middleware.PlatformAccessLogMiddleware``; kept for the school to audit."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    user = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("平台管理员"),
    )
    at = models.DateTimeField(_("时间"))
    page = models.CharField(_("页面"), max_length=100)
    method = models.CharField(_("请求方式"), max_length=8)

    class Meta:
        verbose_name = _("平台管理员访问记录")
        verbose_name_plural = _("平台管理员访问记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["tenant", "-at"], name="platform_access_tenant_at")]

    def __str__(self):
        return f"{self.user} · {self.tenant} · {self.page} · {self.at:%Y-%m-%d %H:%M}"
