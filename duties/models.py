"""The duty engine's rows (docs/duties.md): a reminder is one message owed to one person about one duty's item in
one period, unique in the database, so however often the scan runs it exists once; a notification is what that
person sees in the notification centre (and gets by email when they asked for it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.tenancy import TenantOwned, tenant_fk


class Reminder(TenantOwned):
    """One reminder owed: (duty, subject, period, user, kind) is unique — the scan's ``bulk_create`` with
    ``ignore_conflicts`` never makes a second — and ``claimed_at`` is set by exactly one scan (a conditional
    update), which alone creates its notification."""

    duty = models.CharField(_("事项"), max_length=80)
    subject = models.CharField(_("对象"), max_length=80, help_text=_("事项针对的对象（只含编号，不含姓名）。"))
    period = models.CharField(_("周期"), max_length=40)
    user = tenant_fk(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                     verbose_name=_("提醒对象"))
    kind = models.CharField(_("类型"), max_length=20)  # "before:3", "before:1", "overdue", "overdue_above"
    due_at = models.DateTimeField(_("截止时间"))
    created_at = models.DateTimeField(_("创建时间"))
    claimed_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    skipped = models.BooleanField(_("未发出"), default=False, help_text=_("认领时事项已完成，不再提醒。"))

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "duty", "subject", "period", "user", "kind"],
                                    name="duties_reminder_once"),
        ]
        indexes = [
            models.Index(fields=["tenant", "claimed_at"], name="duties_reminder_unclaimed"),
            models.Index(fields=["tenant", "claim"], name="duties_reminder_claim"),
            models.Index(fields=["tenant", "user"], name="duties_reminder_user"),
        ]

    def __str__(self):
        return str(_("提醒 %(duty)s · %(period)s · %(kind)s")) % {"duty": self.duty, "period": self.period,
                                                         "kind": self.kind}


class EmailState(models.TextChoices):
    NONE = "none", _("不发邮件")
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Notification(TenantOwned):
    """What one person sees in the notification centre. Its text names the duty and the period, never a
    sensitive record's content or a student's name (duties/sensitive.py, run after every test by the root
    conftest.py, checks every text the tests produce)."""

    user = tenant_fk(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                     verbose_name=_("接收人"))
    duty = models.CharField(_("事项"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_state = models.CharField(_("邮件"), max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送次数"), default=0)
    email_claimed_at = models.DateTimeField(_("邮件开始发送时间"), null=True, blank=True)
    email_error = models.CharField(_("邮件错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["tenant", "user", "-created_at"], name="duties_notification_user"),
            models.Index(fields=["tenant", "user"], condition=Q(read_at__isnull=True), name="duties_unread"),
        ]

    def __str__(self):
        return self.title


class NotificationSetting(TenantOwned):
    """A person's choice: in-app only, or in-app and email (to their account's address)."""

    user = tenant_fk(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                     verbose_name=_("用户"))
    email = models.BooleanField(_("同时发送邮件"), default=False)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="duties_setting_once")]

    def __str__(self):
        return str(_("站内通知和邮件") if self.email else _("仅站内通知"))
