"""Writes of awards (SPEC SC-13): a department head proposes the department's computed list, the office confirms.

The list is the one ``scoring.award_selectors`` computes (the top eligible scorers, the quota counted on the
headcount, ties at the cut-off all included): a head may leave someone of it off, never add anyone. A proposal
stores each member's term score when proposed; proposing again replaces the unconfirmed rows; a confirmed list
is final.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.calendar import local_date
from orgs.models import OrganisationKind
from scoring.models import Award, AwardCategory, AwardStatus
from scoring.rules import heads_department, is_office_of
from scoring.selectors.awards import award_group


def _check(*, organisation, term, department, category) -> None:
    if len({organisation.tenant_id, term.tenant_id, department.tenant_id}) != 1:
        raise ValidationError(_("所选对象不属于同一所学校。"))
    if organisation.kind != OrganisationKind.ALLIANCE or department.organisation_id != organisation.pk:
        raise ValidationError(_("该部门不属于这个组织。"))
    if category not in AwardCategory.values:
        raise ValidationError(_("没有这个奖项。"))


def _group(*, organisation, term, department, category):
    group = award_group(organisation=organisation, term=term, department=department, category=category)
    if not group.headcount:
        raise ValidationError(_("%(department)s本学期没有%(category)s可以评选。") % {
            "department": department.name, "category": AwardCategory(category).label})
    return group


@transaction.atomic
def award_propose(*, organisation, term, department, category: str, user, now: dt.datetime,
                  people=None) -> list[Award]:
    """The head of ``department`` (for the presidium: the president) proposes its list of ``category``:
    ``people`` (ids) of the computed list, all of it when None. Replaces the department's unconfirmed rows."""
    _check(organisation=organisation, term=term, department=department, category=category)
    if not heads_department(user, department, on=local_date(now)):
        raise ValidationError(_("主席团的名单由总部长推荐。") if department.is_presidium
                              else _("只有本部门的部长可以推荐本部门的名单。"))
    current = list(Award.objects.select_for_update().filter(organisation=organisation, term=term,
                                                            department=department, category=category))
    if any(a.status == AwardStatus.CONFIRMED for a in current):
        raise ValidationError(_("办公室已经确认了这份名单，不能再修改。"))
    group = _group(organisation=organisation, term=term, department=department, category=category)
    computed = {row.person.pk: row for row in group.computed}
    if not computed:
        raise ValidationError(_("没有符合评优资格的成员，没有可以推荐的名单。"))
    wanted = list(computed) if people is None else list(dict.fromkeys(int(pk) for pk in people))
    if not wanted:
        raise ValidationError(_("请至少推荐一人。"))
    excluded = {e.person.pk: e for e in group.excluded}
    for pk in wanted:
        if pk in excluded:
            raise ValidationError(_("%(name)s不符合评优资格：%(reasons)s。") % {
                "name": excluded[pk].person.name, "reasons": "；".join(excluded[pk].reasons)})
        if pk not in computed:
            raise ValidationError(_("只能推荐按积分计算出的名单上的成员。"))
    elsewhere = Award.objects.filter(organisation=organisation, term=term, category=category,
                                     person_id__in=wanted).exclude(department=department).select_related(
        "person", "department").first()
    if elsewhere is not None:
        raise ValidationError(_("%(name)s已在%(department)s的名单上。") % {
            "name": elsewhere.person.name, "department": elsewhere.department.name})
    Award.objects.filter(pk__in=[a.pk for a in current]).delete()
    return Award.objects.bulk_create([
        Award(tenant_id=organisation.tenant_id, organisation=organisation, term=term, department=department,
              category=category, person_id=pk, score=computed[pk].score, proposed_by=user, proposed_at=now)
        for pk in wanted
    ])


@transaction.atomic
def award_confirm(*, organisation, term, department, category: str, user, now: dt.datetime) -> int:
    """The office confirms the department's proposed list of ``category``; returns the rows confirmed. Refused
    twice, and while someone proposed is no longer on the computed list (the head proposes again)."""
    _check(organisation=organisation, term=term, department=department, category=category)
    if not is_office_of(user, organisation, on=local_date(now)):
        raise ValidationError(_("只有本组织的办公室可以确认评优名单。"))
    current = list(Award.objects.select_for_update().filter(organisation=organisation, term=term,
                                                            department=department, category=category))
    if not current:
        raise ValidationError(_("这份名单还没有推荐，不能确认。"))
    if all(a.status == AwardStatus.CONFIRMED for a in current):
        raise ValidationError(_("这份名单已经确认过了。"))
    group = _group(organisation=organisation, term=term, department=department, category=category)
    off = [row.person.name for row in group.rows if not row.on_list]
    if off:
        raise ValidationError(_("%(names)s已不在按积分计算出的名单上（积分或资格有变化），请部长重新推荐。") % {
            "names": "、".join(off)})
    return Award.objects.filter(pk__in=[a.pk for a in current], status=AwardStatus.PROPOSED).update(
        status=AwardStatus.CONFIRMED, confirmed_by=user, confirmed_at=now)
