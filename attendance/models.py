"""Meetings, duty shifts and activities, who was expected, how each attended (SPEC AT-1, AT-2), and what
the office records about them afterwards: minutes (AT-4), plenary discipline (SC-8), an activity's grades,
proposals and hand-back (AT-6); and tasks (AT-5).

A session (``Meeting``) is a department regular meeting, a plenary, another meeting, a duty shift (值班) or an
activity: they share one attendance machinery (an activity's participants are its attendees). Its expected
attendees are materialised as ``Attendance`` rows when the session is created, so the attendance page reads one
list, and every mark is a change of one row whose history (``AttendanceChange``: who, when, old → new) is kept.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.tenancy import TenantOwned, tenant_fk


class MeetingKind(models.TextChoices):
    DEPARTMENT = "department", _("部门例会")
    PLENARY = "plenary", _("全体会议")
    OTHER = "other", _("其他会议")
    DUTY = "duty", _("值班")
    ACTIVITY = "activity", _("活动")


class Audience(models.TextChoices):
    DEPARTMENT = "department", _("一个部门")
    ORGANISATION = "organisation", _("全体成员")
    CHOSEN = "chosen", _("指定人员")


class MeetingSeries(TenantOwned):
    """A weekly department meeting for a term: its sessions are ordinary meetings that point here."""

    organisation = tenant_fk("orgs.Organisation", verbose_name=_("组织"), related_name="+")
    department = tenant_fk("orgs.Department", verbose_name=_("部门"), related_name="+")
    term = tenant_fk("orgs.Term", verbose_name=_("学期"), related_name="+")
    title = models.CharField(_("名称"), max_length=100)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("例会系列")
        verbose_name_plural = _("例会系列")
        indexes = [models.Index(fields=["tenant", "organisation"], name="series_tenant_org")]

    def __str__(self):
        return self.title


class Meeting(TenantOwned):
    organisation = tenant_fk("orgs.Organisation", verbose_name=_("组织"), related_name="meetings")
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("三星级及以上会议迟到、旷会扣分更重（第七条 细则 3–4）。"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    audience = models.CharField(_("应到人员"), max_length=20, choices=Audience.choices)
    department = tenant_fk(
        "orgs.Department", null=True, blank=True, verbose_name=_("部门"), related_name="meetings",
        help_text=_("部门例会、或应到人员为一个部门时填写。"),
    )
    minutes_taker = tenant_fk(
        "members.Person", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("会议记录人"),
        related_name="+",
    )
    series = tenant_fk(MeetingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings",
                       verbose_name=_("例会系列"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议/值班")
        verbose_name_plural = _("会议/值班")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="meeting_stars_1_to_5"),
            models.CheckConstraint(
                condition=~Q(audience="department") | Q(department__isnull=False), name="meeting_department_audience"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation", "starts_at"], name="meeting_tenant_org_start"),
            models.Index(fields=["tenant", "department", "starts_at"], name="meeting_tenant_dept_start"),
            models.Index(fields=["tenant", "series"], name="meeting_tenant_series"),
            models.Index(fields=["tenant", "minutes_taker"], name="meeting_tenant_taker"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Status(models.TextChoices):
    UNMARKED = "unmarked", _("未记录")
    PRESENT = "present", _("出席")
    LATE = "late", _("迟到")
    EARLY_LEAVE = "early_leave", _("早退")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("旷会")


def status_text(status: str, late_minutes: int | None = None, late_as_absence: bool = False) -> str:
    """A mark in words, the one way every page and export says it: "出席", "迟到 8 分钟", "旷会（迟到 12 分钟）"
    (a late beyond the school's threshold, recorded as an absence), "请假"…"""
    label = str(Status(status).label)
    if late_minutes is None:
        return label
    if status == Status.LATE:
        return str(_("迟到 %(n)s 分钟") % {"n": late_minutes})
    if status == Status.ABSENT and late_as_absence:
        return str(_("%(status)s（迟到 %(n)s 分钟）") % {"status": label, "n": late_minutes})
    return label


class Attendance(TenantOwned):
    """One expected attendee of one session and how they attended. ``late_minutes`` is kept when a late beyond
    the school's threshold was recorded as an absence (``status`` absent, ``late_as_absence``)."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议"))
    person = tenant_fk("members.Person", related_name="attendances", verbose_name=_("人员"))
    status = models.CharField(_("考勤"), max_length=20, choices=Status.choices, default=Status.UNMARKED)
    late_minutes = models.PositiveSmallIntegerField(_("迟到分钟"), null=True, blank=True)
    late_as_absence = models.BooleanField(_("迟到超时记为旷会"), default=False)
    updated_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    updated_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("登记人"))
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting", "person"], name="attendance_one_per_person"),
            models.CheckConstraint(
                condition=Q(late_minutes__isnull=True) | Q(status__in=["late", "absent"]),
                name="attendance_minutes_only_when_late",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "person", "status"], name="attendance_tenant_person")]

    @property
    def status_text(self) -> str:
        """The mark in words (``status_text``): "迟到 8 分钟", not "迟到 迟到 8 分钟"."""
        return status_text(self.status, self.late_minutes, self.late_as_absence)

    def __str__(self):
        return f"{self.person} · {self.meeting}"


class AttendanceChange(TenantOwned):
    """Every change of a mark: who, when, old → new. Never edited."""

    attendance = tenant_fk(Attendance, on_delete=models.CASCADE, related_name="changes", verbose_name=_("考勤"))
    changed_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                   verbose_name=_("修改人"))
    changed_at = models.DateTimeField(_("修改时间"))
    old_status = models.CharField(_("原考勤"), max_length=20, choices=Status.choices)
    new_status = models.CharField(_("新考勤"), max_length=20, choices=Status.choices)
    old_late_minutes = models.PositiveSmallIntegerField(_("原迟到分钟"), null=True, blank=True)
    new_late_minutes = models.PositiveSmallIntegerField(_("新迟到分钟"), null=True, blank=True)
    via = models.CharField(_("方式"), max_length=20, default="page")

    class Meta:
        verbose_name = _("考勤修改记录")
        verbose_name_plural = _("考勤修改记录")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "attendance", "changed_at"], name="change_tenant_attendance")]

    def __str__(self):
        return f"{self.attendance} · {timezone.localtime(self.changed_at):%Y-%m-%d %H:%M}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class LeaveRequest(TenantOwned):
    """A member asks for leave (请假) before the session; the office approves (the mark becomes 请假) or refuses."""

    attendance = tenant_fk(Attendance, on_delete=models.CASCADE, related_name="leave_requests",
                           verbose_name=_("考勤"))
    reason = models.CharField(_("请假事由"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    answer = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "attendance"], condition=Q(status="pending"),
                                    name="leave_one_pending_per_attendance"),
        ]
        indexes = [models.Index(fields=["tenant", "attendance", "status"], name="leave_tenant_attendance")]

    def __str__(self):
        return _("请假：%(attendance)s") % {"attendance": self.attendance}


class Grade(models.TextChoices):
    """The four-step grade of minutes, tasks and activities (000 第五条 2(4), 3(4), 4(1))."""

    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


def _recorded():
    return (
        models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                          verbose_name=_("登记人")),
        models.DateTimeField(_("登记时间")),
    )


# --- minutes (会议记录, AT-4) ---


class Minutes(TenantOwned):
    """Whether the assigned minutes-taker took a session's minutes, and the office's grade. One per session;
    ``taker`` is who was assigned when this was recorded (the session's taker may change later)."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="minutes_records", verbose_name=_("会议"))
    taker = tenant_fk("members.Person", related_name="+", verbose_name=_("会议记录人"))
    taken = models.BooleanField(_("已做记录"))
    grade = models.CharField(_("记录评定"), max_length=20, choices=Grade.choices, blank=True)
    content = models.TextField(_("记录内容"), blank=True)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting"], name="minutes_one_per_meeting"),
            models.CheckConstraint(condition=Q(taken=True) | Q(grade=""), name="minutes_grade_only_when_taken"),
        ]
        indexes = [models.Index(fields=["tenant", "taker"], name="minutes_tenant_taker")]

    def __str__(self):
        return _("会议记录：%(meeting)s") % {"meeting": self.meeting}


# --- plenary discipline (会场纪律, SC-8; 000 第五条 5) ---


class DepartmentOrder(models.TextChoices):
    ORDERLY = "orderly", _("表现良好")
    ORDINARY = "ordinary", _("一般")
    NOISY = "noisy", _("混乱吵闹")


class PlenaryOrder(TenantOwned):
    """How one department kept order at a plenary."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="department_orders", verbose_name=_("会议"))
    department = tenant_fk("orgs.Department", related_name="+", verbose_name=_("部门"))
    order = models.CharField(_("会场纪律"), max_length=20, choices=DepartmentOrder.choices)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("部门会场纪律")
        verbose_name_plural = _("部门会场纪律")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting", "department"], name="plenary_order_one_per_dept"),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.department}"


class PlenaryDisruption(TenantOwned):
    """A member who seriously disrupted a plenary (特别吵闹、严重影响会场纪律)."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="disruptions", verbose_name=_("会议"))
    person = tenant_fk("members.Person", related_name="+", verbose_name=_("人员"))
    note = models.CharField(_("情况说明"), max_length=200, blank=True)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("严重扰乱会场")
        verbose_name_plural = _("严重扰乱会场")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting", "person"], name="disruption_one_per_person"),
        ]
        indexes = [models.Index(fields=["tenant", "person"], name="disruption_tenant_person")]

    def __str__(self):
        return f"{self.meeting} · {self.person}"


# --- activities (活动, AT-6; 000 第五条 3) ---


class ActivityReport(TenantOwned):
    """The office's record of an activity after it: overall grade, summary, and the hand-back — the dates the
    items were returned and the materials collected (a tenant policy says how many days count as in time)."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="activity_reports", verbose_name=_("活动"))
    overall_grade = models.CharField(_("活动总评"), max_length=20, choices=Grade.choices, blank=True)
    summary = models.TextField(_("活动总结"), blank=True)
    items_returned_on = models.DateField(_("物品归还日期"), null=True, blank=True)
    materials_collected_on = models.DateField(_("资料收集日期"), null=True, blank=True)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("活动评定")
        verbose_name_plural = _("活动评定")
        constraints = [models.UniqueConstraint(fields=["tenant", "meeting"], name="activity_report_one_per_meeting")]

    def __str__(self):
        return _("活动总结：%(meeting)s") % {"meeting": self.meeting}


class Coordination(models.TextChoices):
    GOOD = "good", _("配合协调")
    ORDINARY = "ordinary", _("一般")
    CHAOTIC = "chaotic", _("配合乱差")


class ActivityCoordination(TenantOwned):
    """A department's coordination at an activity (部门内部配合协调), which reaches all its members."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="coordinations", verbose_name=_("活动"))
    department = tenant_fk("orgs.Department", related_name="+", verbose_name=_("部门"))
    grade = models.CharField(_("配合评定"), max_length=20, choices=Coordination.choices)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("部门配合评定")
        verbose_name_plural = _("部门配合评定")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting", "department"], name="coordination_one_per_dept"),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.department}"


class ActivityPerformance(TenantOwned):
    """One participant's performance at an activity: outstanding (表现出色), a concise summary (总结干练), notes."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="performances", verbose_name=_("活动"))
    person = tenant_fk("members.Person", related_name="+", verbose_name=_("人员"))
    outstanding = models.BooleanField(_("表现出色"), default=False)
    concise_summary = models.BooleanField(_("总结干练"), default=False)
    note = models.CharField(_("表现记录"), max_length=200, blank=True)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("活动表现")
        verbose_name_plural = _("活动表现")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "meeting", "person"], name="performance_one_per_person"),
        ]
        indexes = [models.Index(fields=["tenant", "person"], name="performance_tenant_person")]

    def __str__(self):
        return f"{self.meeting} · {self.person}"


class ActivityProposal(TenantOwned):
    """A plan or idea (活动方案或构想) a member proposed for an activity: novel and feasible or not, and whether it
    was adopted before the activity took place."""

    meeting = tenant_fk(Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("活动"))
    person = tenant_fk("members.Person", related_name="+", verbose_name=_("提出人"))
    title = models.CharField(_("方案或构想"), max_length=200)
    novel = models.BooleanField(_("新颖可行"), default=False)
    adopted = models.BooleanField(_("活动前被采纳"), default=False)
    recorded_by, recorded_at = _recorded()

    class Meta:
        verbose_name = _("活动方案或构想")
        verbose_name_plural = _("活动方案或构想")
        ordering = ["recorded_at", "pk"]
        indexes = [
            models.Index(fields=["tenant", "meeting"], name="proposal_tenant_meeting"),
            models.Index(fields=["tenant", "person"], name="proposal_tenant_person"),
        ]

    def __str__(self):
        return self.title


# --- tasks (日常任务, AT-5; 000 第五条 2) ---


class Task(TenantOwned):
    """A task the office assigns to members with a deadline."""

    organisation = tenant_fk("orgs.Organisation", related_name="tasks", verbose_name=_("组织"))
    department = tenant_fk("orgs.Department", null=True, blank=True, related_name="+", verbose_name=_("部门"),
                           help_text=_("布置给一个部门时填写。"))
    title = models.CharField(_("任务名称"), max_length=100)
    description = models.TextField(_("任务要求"), blank=True)
    deadline = models.DateTimeField(_("截止时间"))
    audience = models.CharField(_("布置对象"), max_length=20, choices=Audience.choices)
    created_by = models.ForeignKey("members.User", on_delete=models.PROTECT, db_index=False, related_name="+",
                                   verbose_name=_("布置人"))
    created_at = models.DateTimeField(_("布置时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日常任务")
        verbose_name_plural = _("日常任务")
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=F("created_at")), name="task_deadline_after_creation"),
        ]
        indexes = [models.Index(fields=["tenant", "organisation", "deadline"], name="task_tenant_org_deadline")]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class TaskAssignment(TenantOwned):
    """One assignee of a task: when they acknowledged (答收到), when they submitted, and the office's grade."""

    task = tenant_fk(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("任务"))
    person = tenant_fk("members.Person", related_name="task_assignments", verbose_name=_("人员"))
    acknowledged_at = models.DateTimeField(_("答收到时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    note = models.TextField(_("提交说明"), blank=True)
    grade = models.CharField(_("完成质量"), max_length=20, choices=Grade.choices, blank=True)
    graded_by = models.ForeignKey("members.User", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                  related_name="+", verbose_name=_("评定人"))
    graded_at = models.DateTimeField(_("评定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务分配")
        verbose_name_plural = _("任务分配")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "task", "person"], name="assignment_one_per_person"),
            models.CheckConstraint(condition=Q(grade="") | Q(submitted_at__isnull=False),
                                   name="assignment_grade_after_submission"),
        ]
        indexes = [models.Index(fields=["tenant", "person"], name="assignment_tenant_person")]

    def is_late(self) -> bool:
        """Submitted after the deadline."""
        return self.submitted_at is not None and self.submitted_at > self.task.deadline

    def __str__(self):
        return f"{self.task} · {self.person}"


def _attachment_path(instance, filename):
    """Stored under a random name: the original name (which may carry a person's name) stays in the database."""
    return f"tasks/{instance.tenant_id}/{uuid.uuid4().hex}"


class TaskAttachment(TenantOwned):
    """A file handed in with a task; served only through the permission-checked download view."""

    assignment = tenant_fk(TaskAssignment, on_delete=models.CASCADE, related_name="attachments",
                           verbose_name=_("任务分配"))
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("任务附件")
        verbose_name_plural = _("任务附件")
        indexes = [models.Index(fields=["tenant", "assignment"], name="attachment_tenant_assignment")]

    def __str__(self):
        return self.name
