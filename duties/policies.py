"""The duty engine's numbers, as tenant policies (SPEC OR-6, DS-1): when reminders go out."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

REMIND_FIRST_DAYS = register(
    Policy(
        key="duties.remind_first_days",
        label=_("第一次提醒：截止前多少天"),
        default=3,
        kind=int,
        source=_("到期前提醒负责人：默认截止前 3 天和 1 天各一次。"),
        period="month",
        unit=_("天"),
        minimum=1,
        maximum=30,
    )
)

REMIND_LAST_DAYS = register(
    Policy(
        key="duties.remind_last_days",
        label=_("第二次提醒：截止前多少天"),
        default=1,
        kind=int,
        source=_("到期前提醒负责人：默认截止前 3 天和 1 天各一次。"),
        period="month",
        unit=_("天"),
        minimum=1,
        maximum=30,
    )
)

OVERDUE_LOOKBACK_DAYS = register(
    Policy(
        key="duties.overdue_lookback_days",
        label=_("逾期事项在待办中保留多少天"),
        default=31,
        kind=int,
        source=_("逾期未完成的事项在负责人和上级的待办中保留的天数，超过后不再显示和提醒。"),
        period="month",
        unit=_("天"),
        minimum=1,
        maximum=366,
    )
)
