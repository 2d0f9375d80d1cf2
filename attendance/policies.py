"""The attendance numbers of SPEC AT-2, as tenant policies."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

LATE_ABSENCE_MINUTES = register(
    Policy(
        key="attendance.late_absence_minutes",
        label=_("迟到超过多少分钟记为旷会"),
        default=10,
        kind=int,
        source=_("考核细则 第七条 细则 1：开会无故迟到 10 分钟以内视为迟到，10 分钟以后视为旷会。"),
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
        source=_("扫码自助签到：签到时间为会议开始前若干分钟至会议结束。"),
        period="term",
        module="alliance",
        unit=_("分钟"),
        minimum=0,
        maximum=240,
    )
)

ACTIVITY_HANDBACK_DAYS = register(
    Policy(
        key="attendance.activity_handback_days",
        label=_("活动结束后多少天内须归还物品、收集资料"),
        default=7,
        kind=int,
        source=_("考核细则 附录：活动后一周内未归还物品或未收集资料，部门警告。"),
        period="term",
        module="alliance",
        unit=_("天"),
        minimum=1,
        maximum=60,
    )
)

TASK_ATTACHMENT_MAX_MB = register(
    Policy(
        key="attendance.task_attachment_max_mb",
        label=_("任务附件单个文件大小上限"),
        default=10,
        kind=int,
        source=_("提交任务可附文件；上限防止占满存储。"),
        period="month",
        module="alliance",
        unit=_("MB"),
        minimum=1,
        maximum=100,
    )
)

MONTHLY_SHEET_DUE_DAY = register(
    Policy(
        key="attendance.monthly_sheet_due_day",
        label=_("每月几号前收齐本月考勤"),
        default=31,
        kind=int,
        source=_("办公室职责 14：负责每月收集各部门内部考勤表和例会考勤表；默认每月最后一天 23:59 前收齐"
                 "（31 表示月末，较短的月份取其最后一天）。"),
        period="month",
        module="alliance",
        unit=_("日"),
        minimum=1,
        maximum=31,
    )
)
