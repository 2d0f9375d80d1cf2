"""People, accounts, roles and memberships (SPEC OR-3, OR-4, "Who uses it")."""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.imports.reader import ENCODING_LABELS
from orgs.models import Gender
from orgs.tenancy import TenantOwned, tenant_fk


class User(AbstractUser):
    """A login. Global (not tenant-scoped), because logging in happens before any tenant is known.

    A tenant user has ``tenant`` set and usually ``person``; a platform admin has neither.
    """

    tenant = models.ForeignKey(
        "orgs.Tenant", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("学校"),
    )
    person = models.OneToOneField(
        "members.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="user",
        verbose_name=_("人员"),
    )
    is_platform_admin = models.BooleanField(_("平台管理员"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_platform_admin=False) | Q(tenant__isnull=True),
                name="platform_admin_has_no_tenant",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        if self.person_id is not None:
            return self.person.name
        return (self.last_name + self.first_name).strip()


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    DEVELOPMENT = "development", _("发展对象")
    ACTIVIST = "activist", _("入党积极分子")
    LEAGUE = "league", _("共青团员")
    MASSES = "masses", _("群众")


class PersonKind(models.TextChoices):
    STUDENT = "student", _("学生")
    STAFF = "staff", _("教职工")


class Person(TenantOwned):
    """A student or member of staff of one school (OR-4)."""

    number = models.CharField(_("学号/工号"), max_length=32)
    name = models.CharField(_("姓名"), max_length=40)
    kind = models.CharField(_("身份"), max_length=10, choices=PersonKind.choices, default=PersonKind.STUDENT)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    college = tenant_fk("orgs.College", null=True, blank=True, verbose_name=_("学院"), related_name="people")
    major = tenant_fk("orgs.Major", null=True, blank=True, verbose_name=_("专业"), related_name="people")
    school_class = tenant_fk(
        "orgs.SchoolClass", null=True, blank=True, verbose_name=_("班级"), related_name="students"
    )
    enrolment_year = models.PositiveSmallIntegerField(
        _("入学年份"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    room = tenant_fk(
        "orgs.Room", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("寝室"),
        related_name="residents",
    )
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="person_unique_number")]
        indexes = [
            models.Index(fields=["tenant", "name"], name="person_tenant_name"),
            models.Index(fields=["tenant", "college"], name="person_tenant_college"),
            models.Index(fields=["tenant", "major"], name="person_tenant_major"),
            models.Index(fields=["tenant", "school_class"], name="person_tenant_class"),
            models.Index(fields=["tenant", "room"], name="person_tenant_room"),
            models.Index(fields=["tenant", "political_status"], name="person_tenant_political"),
        ]

    def __str__(self):
        return f"{self.name}（{self.number}）"


class AcademicStanding(TenantOwned):
    """A student's standing in one term: rank percentile in the major and number of failed courses."""

    person = tenant_fk(Person, on_delete=models.CASCADE, verbose_name=_("人员"), related_name="standings")
    term = tenant_fk("orgs.Term", verbose_name=_("学期"), related_name="standings")
    rank_percentile = models.DecimalField(
        _("专业排名百分位"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("在本专业的排名位置，前 10% 填 10。"),
    )
    failed_courses = models.PositiveSmallIntegerField(_("不及格课程数"), default=0)

    class Meta:
        verbose_name = _("学业情况")
        verbose_name_plural = _("学业情况")
        ordering = ["-term__start"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "person", "term"], name="standing_unique_person_term"),
            models.CheckConstraint(
                condition=Q(rank_percentile__gte=0) & Q(rank_percentile__lte=100), name="standing_percentile_range"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "term"], name="standing_tenant_term")]

    def __str__(self):
        return _("%(person)s · %(term)s 学业情况") % {"person": self.person, "term": self.term}


class DisciplineLevel(models.TextChoices):
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    DEMERIT = "demerit", _("记过")
    PROBATION = "probation", _("留校察看")
    EXPULSION = "expulsion", _("开除学籍")


class DisciplinaryRecord(TenantOwned):
    """A school disciplinary sanction (sensitive: shown only to roles that need it)."""

    person = tenant_fk(Person, on_delete=models.CASCADE, verbose_name=_("人员"), related_name="discipline")
    level = models.CharField(_("处分"), max_length=20, choices=DisciplineLevel.choices)
    reason = models.CharField(_("事由"), max_length=200)
    decided_on = models.DateField(_("处分日期"))
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("违纪处分")
        verbose_name_plural = _("违纪处分")
        ordering = ["-decided_on"]
        indexes = [models.Index(fields=["tenant", "person", "decided_on"], name="discipline_tenant_person")]

    def __str__(self):
        return _("%(person)s · %(date)s 违纪处分") % {"person": self.person, "date": self.decided_on}


class Scope(models.TextChoices):
    TENANT = "tenant", _("全校")
    COLLEGE = "college", _("学院")
    CLASS = "school_class", _("班级")
    ORGANISATION = "organisation", _("组织")
    DEPARTMENT = "department", _("部门")
    ROOM = "room", _("寝室")


class Role(models.TextChoices):
    """The personas of SPEC "Who uses it" that are granted (a student, officer or member needs no role)."""

    TENANT_ADMIN = "tenant_admin", _("学校管理员（学生处）")
    OFFICE = "office", _("办公室")
    DEPARTMENT_HEAD = "department_head", _("部长")
    PRESIDENT = "president", _("主席团/总部长")
    COUNSELLOR = "counsellor", _("辅导员")
    CLASS_TEACHER = "class_teacher", _("班主任")
    CENTRE_STAFF = "centre_staff", _("心理健康教育中心")
    PSYCH_COMMITTEE = "psych_committee", _("班级心理委员")
    ROOM_INFORMANT = "room_informant", _("寝室信息联络员/寝室长")
    PARTY_MEMBER = "party_member", _("联系寝室学生党员")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记")
    COLLEGE_PARTY_COMMITTEE = "college_party_committee", _("学院党委")
    COMMUNITY_LEAD = "community_lead", _("社区牵头部门")
    LOGISTICS = "logistics", _("后勤服务")


#: Which scope each role is bound to. The database refuses any other combination (see the constraint).
ROLE_SCOPE: dict[str, str] = {
    Role.TENANT_ADMIN: Scope.TENANT,
    Role.OFFICE: Scope.ORGANISATION,
    Role.DEPARTMENT_HEAD: Scope.DEPARTMENT,
    Role.PRESIDENT: Scope.ORGANISATION,
    Role.COUNSELLOR: Scope.CLASS,
    Role.CLASS_TEACHER: Scope.CLASS,
    Role.CENTRE_STAFF: Scope.TENANT,
    Role.PSYCH_COMMITTEE: Scope.CLASS,
    Role.ROOM_INFORMANT: Scope.ROOM,
    Role.PARTY_MEMBER: Scope.ORGANISATION,
    Role.BRANCH_SECRETARY: Scope.ORGANISATION,
    Role.COLLEGE_PARTY_COMMITTEE: Scope.COLLEGE,
    Role.COMMUNITY_LEAD: Scope.ORGANISATION,
    Role.LOGISTICS: Scope.TENANT,
}
#: Roles whose scope may be either a college or classes of it (a counsellor of a whole college or of classes).
ROLE_ALT_SCOPE: dict[str, str] = {Role.COUNSELLOR: Scope.COLLEGE}

SCOPE_FIELDS = ("college", "school_class", "organisation", "department", "room")


def _only(field: str | None) -> Q:
    q = Q()
    for name in SCOPE_FIELDS:
        q &= Q(**{f"{name}__isnull": name != field})
    return q


def _role_scope_condition() -> Q:
    condition = Q(pk__in=[])
    for role, scope in ROLE_SCOPE.items():
        allowed = _only(None if scope == Scope.TENANT else scope)
        if role in ROLE_ALT_SCOPE:
            allowed |= _only(ROLE_ALT_SCOPE[role])
        condition |= Q(role=role) & allowed
    return condition


class RoleAssignment(TenantOwned):
    """A user holds a role over a scope, from a date, until an optional end date."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, db_index=False, related_name="role_assignments", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    college = tenant_fk("orgs.College", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("学院"))
    school_class = tenant_fk(
        "orgs.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("班级")
    )
    organisation = tenant_fk(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("组织")
    )
    department = tenant_fk(
        "orgs.Department", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("部门")
    )
    room = tenant_fk("orgs.Room", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("寝室"))
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(condition=_role_scope_condition(), name="role_scope_matches_role"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="role_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "user"], name="role_tenant_user"),
            models.Index(fields=["tenant", "role"], name="role_tenant_role"),
        ]

    def __str__(self):
        target = self.scope_object
        return f"{self.get_role_display()} · {target}" if target else self.get_role_display()

    @property
    def scope_object(self):
        for name in SCOPE_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    def is_current(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Membership(TenantOwned):
    """A person's place in an organisation (OR-3). Joining, a change of position and leaving each make or
    close a row; nothing is overwritten. ``end`` is null while the membership is current."""

    person = tenant_fk(Person, on_delete=models.CASCADE, verbose_name=_("人员"), related_name="memberships")
    organisation = tenant_fk("orgs.Organisation", verbose_name=_("组织"), related_name="memberships")
    department = tenant_fk(
        "orgs.Department", null=True, blank=True, verbose_name=_("部门"), related_name="memberships"
    )
    position = tenant_fk("orgs.Position", verbose_name=_("职务"), related_name="memberships")
    term = tenant_fk("orgs.Term", verbose_name=_("学期"), related_name="memberships")
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"), null=True, blank=True)
    end_reason = models.CharField(_("变动原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["organisation", "position__rank", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "person", "organisation"], condition=Q(end__isnull=True),
                name="membership_one_current_per_org",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="membership_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "end"], name="membership_tenant_org"),
            models.Index(fields=["tenant", "person"], name="membership_tenant_person"),
            models.Index(fields=["tenant", "department"], name="membership_tenant_dept"),
            models.Index(fields=["tenant", "position"], name="membership_tenant_position"),
            models.Index(fields=["tenant", "term"], name="membership_tenant_term"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.organisation.name} {self.position.name}"

    @property
    def is_current(self):
        return self.end is None


class ImportKind(models.TextChoices):
    STUDENTS = "students", _("学生名册")
    COLLEGES = "colleges", _("学院与专业")
    CLASSES = "classes", _("班级")
    ROOMS = "rooms", _("寝室")
    POSITIONS = "positions", _("职务")
    STANDING = "standing", _("学业情况")
    DISCIPLINE = "discipline", _("违纪处分")


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("检查完成，待确认")
    INVALID = "invalid", _("有错误，未导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败，未做任何修改")


#: A CSV's encoding: what the user chose, or what the check detected; blank before a check that could not tell.
IMPORT_ENCODING_CHOICES = [("", _("自动识别")), *ENCODING_LABELS.items()]


def _import_upload_path(instance, filename):
    # a random name: the uploaded file's own name may carry personal data, and never goes into a URL
    return f"imports/{instance.tenant_id}/{uuid.uuid4().hex}"


class ImportJob(TenantOwned):
    """One uploaded file, from its dry run to its commit. The page of a job shows its progress and result,
    so it survives a reload; the work runs in Celery tasks (members.tasks)."""

    kind = models.CharField(_("导入类型"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to=_import_upload_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, db_index=False, related_name="+", verbose_name=_("上传人")
    )
    status = models.CharField(_("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    samples = models.JSONField(_("变更示例"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    committed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, db_index=False, related_name="+",
        verbose_name=_("确认人"),
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    encoding = models.CharField(_("文件编码"), max_length=20, choices=IMPORT_ENCODING_CHOICES, blank=True)
    # The lease of the worker running the job (docs/imports.md, "Crashed workers"): each run (check, commit,
    # retry) is a new attempt; its task claims the job for that attempt and renews the lease while it works.
    # A running job whose lease ran out has lost its worker and is marked failed; a late task of an old
    # attempt changes nothing.
    attempt = models.PositiveIntegerField(_("运行次数"), default=0)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最后心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="importjob_tenant_created")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def can_commit(self) -> bool:
        return self.status == ImportStatus.CHECKED

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)
