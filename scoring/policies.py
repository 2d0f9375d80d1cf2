"""Scoring's numbers that are not rulebook settings, as tenant policies (SPEC OR-6, DS-1): the due times of the
decisions and lists its duties remind people of (``scoring/duties.py``). The alliance's rulebook gives none of
these days, so their defaults are the product's own; the award window follows 第六条 二 4 (期末评优)."""

from django.utils.translation import gettext_lazy as _

from orgs.policies import Policy, register

DISCRETIONARY_DECIDE_DAYS = register(
    Policy(
        key="scoring.discretionary_decide_days",
        label=_("酌情加分录入后多少天内审批"),
        default=7,
        kind=int,
        source=_("考核细则 第六条 注：加分须经认可方可计入。细则未规定审批期限，"
                 "默认录入后 7 天内由总部长（或主席团）审批。"),
        period="month",
        module="alliance",
        unit=_("天"),
        minimum=1,
        maximum=60,
    )
)

SANCTION_DECIDE_DAYS = register(
    Policy(
        key="scoring.sanction_decide_days",
        label=_("处分提交总部长后多少天内决定"),
        default=7,
        kind=int,
        source=_("考核细则 附录：处分由办公室审核后报总部长决定。细则未规定期限，默认提交后 7 天内决定。"),
        period="month",
        module="alliance",
        unit=_("天"),
        minimum=1,
        maximum=60,
    )
)

SANCTION_FILE_DAYS = register(
    Policy(
        key="scoring.sanction_file_days",
        label=_("处分确认后多少天内由办公室备案"),
        default=7,
        kind=int,
        source=_("考核细则 附录：确认的处分由办公室备案。细则未规定期限，默认确认后 7 天内备案。"),
        period="month",
        module="alliance",
        unit=_("天"),
        minimum=1,
        maximum=60,
    )
)

AWARD_WINDOW_WEEKS = register(
    Policy(
        key="scoring.award_window_weeks",
        label=_("学期最后几个教学周推荐评优名单"),
        default=2,
        kind=int,
        source=_("考核细则 第六条 二 4：期末根据工作表现评优。"
                 "默认在学期最后两个教学周内由部长推荐、学期结束前完成。"),
        period="term",
        module="alliance",
        unit=_("周"),
        minimum=1,
        maximum=8,
    )
)

AWARD_CONFIRM_DAYS = register(
    Policy(
        key="scoring.award_confirm_days",
        label=_("学期结束后多少天内办公室确认评优名单"),
        default=3,
        kind=int,
        source=_("部长的推荐截止于学期最后一天；办公室在其后若干天内确认，默认 3 天，0 表示学期最后一天。"),
        period="term",
        module="alliance",
        unit=_("天"),
        minimum=0,
        maximum=30,
    )
)
