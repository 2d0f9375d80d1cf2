"""Writes to the school's structure and settings: keyword-only, atomic, validated."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs import policies
from orgs.models import PlatformAccess, PolicyValue, Tenant, Term
from orgs.selectors import policy_value


@transaction.atomic
def tenant_create(*, slug: str, name: str, modules: list[str]) -> Tenant:
    tenant = Tenant(slug=slug, name=name, modules=sorted(set(modules)))
    tenant.full_clean()
    tenant.save()
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, name: str, modules: list[str], is_active: bool) -> Tenant:
    tenant.name, tenant.modules, tenant.is_active = name, sorted(set(modules)), is_active
    tenant.full_clean()
    tenant.save(update_fields=["name", "modules", "is_active"])
    return tenant



@transaction.atomic
def policy_set(*, tenant: Tenant, key: str, raw_value, user, today: dt.date, note: str = "") -> PolicyValue:
    """Change a policy from the start of its next period; the change is kept as a new row (history)."""
    policy = policies.get(key)
    if policy.module is not None and not tenant.has_module(policy.module):
        raise ValidationError(_("该模块未启用。"))
    value = policy.clean(raw_value)
    effective_from = policies.next_period_start(policy, today=today, terms=Term.objects.filter(tenant=tenant))
    if value == policy_value(tenant=tenant, key=key, on=effective_from):
        raise ValidationError(
            _("自 %(date)s 起的取值已经是 %(value)s，无需修改。") % {"date": effective_from, "value": value}
        )
    return PolicyValue.objects.create(
        tenant=tenant, key=key, value=value, effective_from=effective_from, changed_by=user, note=note
    )


def platform_access_record(*, tenant_id: int, user, page: str, method: str, now: dt.datetime) -> PlatformAccess:
    """Log that the platform admin opened a page of one school (who, when, which page; never its content)."""
    return PlatformAccess.objects.create(tenant_id=tenant_id, user=user, page=page[:100], method=method[:8],
                                         at=now)
