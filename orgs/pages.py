"""Helpers shared by the pages of every app: one page size and one way to read the page number; one way to
send a download; one way to read an optional object filter."""

import io
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
