"""Helpers shared by the list pages of every app: one page size, one way to read the page number."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def paginate(request, rows, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of ``rows`` (an ordered queryset); a bad or too large page number gives the last
    valid page, never an error. Two queries: the count and the page."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page
