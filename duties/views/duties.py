"""The to-do at the top of everyone's home page, and the school's duties page (the school admin's).

Both are computed live from the duties' rules (``duties.selectors``): the to-do runs every duty's ``collect``
once per request, the duties page once per duty, each in a number of queries that does not grow with the
school. The words shown for an item are its ``text``, which never carries sensitive content.
"""

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from duties.policies import OVERDUE_LOOKBACK_DAYS, REMIND_FIRST_DAYS, REMIND_LAST_DAYS
from duties.selectors import DutyGroup, duty_table, todo_for
from duties.services import scan_context
from orgs import policies
from orgs.calendar import local_date
from orgs.web import requires

#: Items of one duty listed on the home page before the rest folds away under "另外 N 项".
SHOWN = 3
#: The engine's own numbers, shown at the top of the duties page.
ENGINE_POLICIES = (REMIND_FIRST_DAYS.key, REMIND_LAST_DAYS.key, OVERDUE_LOOKBACK_DAYS.key)


# --- the to-do on the home page (members.home section, registered in duties/registration.py) ---


@dataclass(frozen=True)
class Line:
    """One item of the to-do as shown: where it is done, what it is, when it is (was) due."""

    url: str
    text: str
    when: str


def _when(due_at: dt.datetime, now: dt.datetime) -> str:
    """"11月30日 23:59 截止" for an open item, "已逾期 2 天" (days of the calendar) for a late one."""
    if due_at > now:
        when = formats.date_format(timezone.localtime(due_at), _("n月j日 H:i"))
        return _("%(when)s 截止") % {"when": when}
    days = (local_date(now) - local_date(due_at)).days
    if days < 1:
        return _("今天 %(time)s 已截止") % {"time": formats.date_format(timezone.localtime(due_at), "H:i")}
    return ngettext("已逾期 %(count)d 天", "已逾期 %(count)d 天", days) % {"count": days}


def _block(key: str, title: str, groups: list[DutyGroup], now: dt.datetime) -> dict:
    shown = []
    for group in groups:
        lines = [Line(url=(item.above_url or item.url) if group.above else item.url,
                      text=item.text or str(group.duty.label), when=_when(item.due_at, now))
                 for item in group.items]  # what is overdue below me links where I see it (above_url)
        shown.append({"label": group.duty.label, "count": group.count, "lines": lines[:SHOWN],
                      "more": lines[SHOWN:]})
    return {"key": key, "title": title, "count": sum(g.count for g in groups), "groups": shown}


def todo_section(request) -> dict | None:
    """The home page's to-do: mine overdue, mine due soon, overdue below me (none for who has no school)."""
    if getattr(request, "tenant", None) is None or not request.user.is_authenticated:
        return None
    now = timezone.now()
    todo = todo_for(request.user, now=now)
    blocks = [
        _block("overdue", _("已逾期"), todo.overdue, now),
        _block("due_soon", _("即将到期"), todo.due_soon, now),
        _block("below", _("下属逾期"), todo.below, now),
    ]
    return {"blocks": [b for b in blocks if b["groups"]], "empty": todo.empty}


# --- the school's duties page ---


def _policy_lines(keys, ctx) -> list[dict]:
    return [{"policy": policies.get(key), "value": ctx.policy(key)} for key in keys]


@requires("duties.view_duty_table")
@require_GET
def duty_list(request):
    """Every duty of the school's enabled modules: its rule, its people, its numbers (each editable on the
    policies page), the next due time, and done / due / overdue now, per scope and in total. Counted over the
    window the to-do and the reminders look at (``duties.services.scan_context``)."""
    now = timezone.now()
    ctx = scan_context(tenant=request.tenant, now=now)  # its policies are read once and kept
    rows = [{
        "duty": row.duty, "next_due": row.next_due, "totals": row.totals,
        "scopes": sorted(row.counts.items(), key=lambda pair: pair[0]),
        "policies": _policy_lines(row.duty.policies, ctx),
    } for row in duty_table(tenant=request.tenant, now=now)]
    return render(request, "duties/duty_list.html", {
        "rows": rows, "engine": _policy_lines(ENGINE_POLICIES, ctx), "since": ctx.since, "until": ctx.until,
        "now": now,
    })
