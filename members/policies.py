"""The policies of people and their imports (SPEC OR-6: every number is a tenant setting)."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

IMPORT_MAX_MB = register(
    Policy(
        key="members.import_max_mb",
        label=_("导入文件大小上限"),
        default=20,
        kind=int,
        source=_("SPEC OR-4（批量导入）：上传的 Excel/CSV 文件默认不超过 20 MB。"),
        period="month",
        unit="MB",
        minimum=1,
        maximum=200,
    )
)
