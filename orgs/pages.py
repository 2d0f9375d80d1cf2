"""Helpers shared by the pages of every app: one page size and one way to read the page number; one way to
send a download; one way to read an optional object filter; one way to read an id or a month from a query
parameter or a form value (``id_of``, ``month_of``), so that no hostile value reaches the database or a date."""

import datetime as dt
import io
import re
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.http import FileResponse

PAGE_SIZE = 50


def paginate(request, rows, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of ``rows`` (an ordered queryset); a bad or too large page number gives the last
    valid page, never an error. Two queries: the count and the page."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page


def attachment(content: bytes, content_type: str, filename: str, fallback: str) -> FileResponse:
    """A download from memory: its name in UTF-8 (RFC 6266/5987) with an ASCII ``fallback`` for old clients,
    never cached (exports carry personal data)."""
    response = FileResponse(io.BytesIO(content), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


def pk_of(obj):
    """The id of an optional object (a filter form's choice), or None."""
    return obj.pk if obj is not None else None


#: The largest id a database row can have (a signed 64-bit integer); a larger one overflows the query.
MAX_ID = 2**63 - 1
#: ASCII digits only: ``str.isdigit`` also accepts "²" (which ``int`` refuses) and "٣" (which it reads as 3).
_ID = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: The months a page can show: the product's schools keep records from 2000; a far year would overflow a date.
MONTH_YEARS = (2000, 2999)


def id_of(value) -> int | None:
    """A row id from a query parameter or a form value (``"42"``), or None for anything else: not ASCII digits,
    zero, or beyond 2^63 − 1 (such a value is then simply no match: a 404, or a filter not applied)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def ids_of(values) -> list[int]:
    """The valid ids among ``values`` (a ``getlist``), in order; the others are left out."""
    return [number for number in map(id_of, values) if number is not None]


def month_of(text) -> dt.date | None:
    """The first day of a ``YYYY-MM`` month between the years of ``MONTH_YEARS``, else None."""
    match = _MONTH.fullmatch(text or "") if isinstance(text, str) else None
    if not match or not 1 <= int(match[2]) <= 12 or not MONTH_YEARS[0] <= int(match[1]) <= MONTH_YEARS[1]:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)
