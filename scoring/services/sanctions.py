"""The sanction workflow (SC-11): the office reviews and submits, the president decides, the office files.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.calendar import local_date
from scoring.models import (
    Sanction,
    SanctionStatus,
)
from scoring.rules import is_office_of, is_president_of
from scoring.services.ledger import ledger_lock, ledger_sync


def _locked_sanction(sanction: Sanction) -> Sanction:
    ledger_lock(sanction.organisation_id)  # the ledger's lock first, as ledger_sync takes them (no deadlock)
    return Sanction.objects.select_for_update().select_related("organisation", "term").get(pk=sanction.pk)


def _resync_if_department(sanction: Sanction, now: dt.datetime) -> None:
    """A department warning's status decides points (SC-14): the ledger follows at once."""
    if sanction.department_id is not None:
        ledger_sync(organisation=sanction.organisation, term=sanction.term, now=now)


@transaction.atomic
def sanction_submit(*, sanction: Sanction, user, now: dt.datetime) -> Sanction:
    """The office, having reviewed a proposed sanction, submits it to the president."""
    sanction = _locked_sanction(sanction)
    if sanction.status != SanctionStatus.PROPOSED:
        raise ValidationError(_("只有待审核的处分可以提交总部长。"))
    if not is_office_of(user, sanction.organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的办公室可以审核并提交处分。"))
    sanction.status, sanction.submitted_by, sanction.submitted_at = SanctionStatus.SUBMITTED, user, now
    sanction.save(update_fields=["status", "submitted_by", "submitted_at"])
    return sanction


@transaction.atomic
def sanction_decide(*, sanction: Sanction, confirm: bool, reason: str, user, now: dt.datetime) -> Sanction:
    """The president (总部长) confirms or dismisses a submitted sanction, with a reason. The office may also
    dismiss a proposal it has not submitted (e.g. one whose basis was withdrawn). The order is the rulebook's
    (``Sanction.allowed_acts``): a proposal the office has not submitted cannot be confirmed."""
    sanction = _locked_sanction(sanction)
    president = is_president_of(user, sanction.organisation, on=local_date(now))
    if sanction.status in (SanctionStatus.CONFIRMED, SanctionStatus.FILED):
        raise ValidationError(_("这项处分已经确认过了。"))
    if sanction.status not in (SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED):
        raise ValidationError(_("这项处分已经处理完毕。"))
    if confirm and not president:
        raise ValidationError(_("只有本组织的总部长可以确认处分。"))
    if sanction.status == SanctionStatus.PROPOSED and confirm:
        raise ValidationError(_("这项处分还没有经办公室审核提交，总部长不能确认。"))
    if sanction.status == SanctionStatus.PROPOSED and not is_office_of(user, sanction.organisation, on=local_date(now)):
        raise ValidationError(_("待审核的处分由办公室审核：提交总部长或驳回。"))
    if sanction.status == SanctionStatus.SUBMITTED and not president:
        raise ValidationError(_("已提交的处分由总部长决定。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写理由。")})
    sanction.status = SanctionStatus.CONFIRMED if confirm else SanctionStatus.DISMISSED
    sanction.decided_by, sanction.decided_at, sanction.decision_reason = user, now, reason.strip()[:200]
    sanction.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _resync_if_department(sanction, now)
    return sanction


@transaction.atomic
def sanction_file(*, sanction: Sanction, number: str, on: dt.date, user, now: dt.datetime) -> Sanction:
    """The office files (备案) a confirmed sanction with a number and a date."""
    sanction = _locked_sanction(sanction)
    if sanction.status != SanctionStatus.CONFIRMED:
        raise ValidationError(_("只有已确认的处分可以备案。"))
    if not is_office_of(user, sanction.organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的办公室可以备案处分。"))
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("请填写备案编号。")})
    if Sanction.objects.filter(organisation=sanction.organisation, filed_number=number).exists():
        raise ValidationError({"number": _("备案编号已被使用。")})
    if on > local_date(now) or (sanction.decided_at and on < local_date(sanction.decided_at)):
        raise ValidationError({"on": _("备案日期不能早于确认日期，也不能晚于今天。")})
    sanction.status, sanction.filed_number, sanction.filed_on, sanction.filed_by = (
        SanctionStatus.FILED, number, on, user)
    sanction.save(update_fields=["status", "filed_number", "filed_on", "filed_by"])
    return sanction


@transaction.atomic
def sanction_revoke(*, sanction: Sanction, reason: str, user, now: dt.datetime) -> Sanction:
    """Only an explicit act of the president, with a reason, revokes a confirmed or filed sanction."""
    sanction = _locked_sanction(sanction)
    if sanction.status not in (SanctionStatus.CONFIRMED, SanctionStatus.FILED):
        raise ValidationError(_("只有已确认或已备案的处分可以撤销。"))
    if not is_president_of(user, sanction.organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的总部长可以撤销处分。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    sanction.status, sanction.revoked_by, sanction.revoked_at = SanctionStatus.REVOKED, user, now
    sanction.revoke_reason = reason.strip()[:200]
    sanction.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason"])
    _resync_if_department(sanction, now)
    return sanction
