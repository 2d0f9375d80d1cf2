"""Meetings and duty shifts, who was expected, and how each attended (SPEC AT-1, AT-2).

A session (``Meeting``) is a department regular meeting, a plenary, another meeting or a duty shift (值班):
they share one attendance machinery. Its expected attendees are materialised as ``Attendance`` rows when the
session is created, so the attendance page reads one list, and every mark is a change of one row whose
history (``AttendanceChange``: who, when, old → new) is kept.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs.tenancy import TenantOwned, tenant_fk


class MeetingKind(models.TextChoices):
    DEPARTMENT = "department", _("部门例会")
    PLENARY = "plenary", _("全体会议")
    OTHER = "other", _("其他会议")
    DUTY = "duty", _("值班")


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
        "members.Person", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("记录人"),
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
                                   related_name="+", verbose_name=_("记录人"))
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
