"""Printable award lists (SC-13): the proposed and confirmed lists of an organisation's term as an A4 PDF and as
Excel, department by department (the presidium first), each member with their term score.

WeasyPrint renders templates/scoring/pdf/awards.html with the CJK font the setup installs (Noto Sans CJK SC,
embedded: names print as text, never as boxes), as attendance/exports.py does; Excel goes through
members.exports.write_xlsx.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from members.exports import write_xlsx


def awards_title(board) -> str:
    return _("%(org)s %(term)s评优名单") % {"org": board.organisation.name, "term": board.term.name}


def _person_name(user) -> str:
    if user is None:
        return ""
    return user.person.name if user.person_id else user.username


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def awards_xlsx(board) -> bytes:
    headers = [_("部门"), _("奖项"), _("序号"), _("姓名"), _("学号"), _("学期积分"), _("状态"), _("推荐人"),
               _("推荐时间"), _("确认人"), _("确认时间")]
    rows = []
    for group in board.groups:
        for n, award in enumerate(group.awards, start=1):
            rows.append((group.department.name, group.label, n, award.person.name, award.person.number, award.score,
                         group.status_label, _person_name(award.proposed_by), _when(award.proposed_at),
                         _person_name(award.confirmed_by), _when(award.confirmed_at)))
    return write_xlsx(headers, rows, title=str(board.term.name))


def awards_pdf(board) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time that most requests never need

    html = render_to_string("scoring/pdf/awards.html", {
        "board": board, "title": awards_title(board), "printed_at": timezone.localtime(),
    })
    return HTML(string=html).write_pdf()
