"""The roll of the attendance page: one line per expected attendee (templates/attendance/meeting_detail.html
puts it in ``<ol id="att-list">``; static/js/attendance.js reads it and copies the office's controls into each
line).

Built here rather than in the template: a 300-person plenary is 300 lines of a dozen values each, and through
the template language every value is a node to resolve, localise and escape — that loop was most of the page's
time (≈ 70 µs a line; formatted here, a few). Every string a line shows comes from one dict translated once
per page; the line's markup is ``LINE`` below, in one place.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attendance.models import Status

#: One line: its data attributes (what the script reads and writes), name, number, badge, note and the
#: row's 修改记录 (the list itself is loaded when it is opened). Every value is escaped before it is put in.
#: An empty ``data-late`` / ``data-absence`` is left out (the script reads a missing one as empty), and the
#: script makes each line focusable (``tabindex``): 300 lines are most of the page's bytes.
LINE = (
    '<li class="att-row st-{status}" data-person="{person}" data-status="{status}"{late}{absence} '
    'data-version="{version}" data-search="{search}"><div class="att-who">'
    '<span class="att-name">{name}</span> <span class="ident muted">{number}</span></div><div class="att-state">'
    '<span class="badge att-badge">{badge}</span> <span class="att-note">{note}</span></div>'
    '<details class="history att-history"{hidden}><summary>{history}</summary></details></li>\n'
)


def roll_html(rows, *, history: dict[int, int], threshold: int) -> tuple[SafeString, dict[str, int]]:
    """The lines of ``rows`` (``selectors.attendance_roll``) and how many rows hold each status.
    ``history``: row id → its number of changes."""
    labels = {status: escape(str(label)) for status, label in Status.choices}
    late_unit = _("%(n)s 分钟")
    note = escape(_("迟到超过 %(n)s 分钟，已记为旷会") % {"n": threshold})
    history_labels = {}
    counts = dict.fromkeys(Status.values, 0)
    lines = []
    for row in rows:
        status, late, n = row.status, row.late_minutes, history.get(row.pk, 0)
        if n not in history_labels:
            history_labels[n] = escape(ngettext("修改记录 %(n)s 条", "修改记录 %(n)s 条", n) % {"n": n})
        counts[status] += 1
        name, number = escape(row.name), escape(row.number)
        lines.append(LINE.format(
            status=escape(status), person=row.person_id, late="" if late is None else f' data-late="{late}"',
            absence=' data-absence="1"' if row.late_as_absence else "", version=row.version,
            search=f"{name} {number}".lower(), name=name, number=number,
            badge=labels[status] + (" " + escape(late_unit % {"n": late}) if status == Status.LATE else ""),
            note=note if row.late_as_absence else "", hidden="" if n else " hidden", history=history_labels[n],
        ))
    return mark_safe("".join(lines)), counts  # noqa: S308 (every value escaped above)
