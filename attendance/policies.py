"""The attendance numbers of SPEC AT-2, as tenant policies."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

LATE_ABSENCE_MINUTES = register(
    Policy(
        key="attendance.late_absence_minutes",
        label=_("迟到超过多少分钟记为旷会"),
        default=10,
        kind=int,
        source=_("SPEC AT-2 / 000 第七条 细则 1：开会无故迟到 10 分钟以内视为迟到，10 分钟以后视为旷会。"),
        period="term",
        module="alliance",
        unit=_("分钟"),
        minimum=0,
        maximum=240,
    )
)

CHECKIN_OPENS_MINUTES = register(
    Policy(
        key="attendance.checkin_opens_minutes",
        label=_("扫码签到在会议开始前多少分钟开放"),
        default=15,
        kind=int,
        source=_("议题 4 第 3 项（扫码自助签到）：签到时间为会议开始前若干分钟至会议结束。"),
        period="term",
        module="alliance",
        unit=_("分钟"),
        minimum=0,
        maximum=240,
    )
)
