"""The policies of people and their imports (SPEC OR-6: every number is a tenant setting)."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

IMPORT_MAX_MB = register(
    Policy(
        key="members.import_max_mb",
        label=_("导入文件大小上限"),
        default=20,
        kind=int,
        source=_("批量导入：上传的 Excel/CSV 文件默认不超过 20 MB。"),
        period="month",
        unit="MB",
        minimum=1,
        maximum=200,
    )
)

IMPORT_MAX_ROWS = register(
    Policy(
        key="members.import_max_rows",
        label=_("导入文件行数上限"),
        default=100_000,
        kind=int,
        source=_("批量导入：一个文件默认最多 100,000 个数据行，超过的文件在读取时即被拒绝，以免拖垮后台。"),
        period="month",
        unit=_("行"),
        minimum=100,
        maximum=1_000_000,
    )
)

SESSION_IDLE_HOURS = register(
    Policy(
        key="members.session_idle_hours",
        label=_("登录空闲超时"),
        default=8,
        kind=int,
        source=_("账号安全：登录后连续 8 小时没有操作即自动退出，需要重新登录。"),
        period="month",
        unit=_("小时"),
        minimum=1,
        maximum=72,
    )
)
