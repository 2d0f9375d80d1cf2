"""Academic standing on award and score pages (SC-12): those who run awards learn that a member is not eligible
for academic reasons ("学业条件不满足"), never the failed course; the detail ("本学期有课程不及格") only to who may
see the member's standing — the person page's rule (``members.view_discipline``)."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Role
from members.selectors import standing_visible_ids
from members.tests.factories import RoleAssignmentFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from scoring.models import AwardCategory
from scoring.selectors import awards as award_selectors
from scoring.tests.award_world import awards_fixture  # noqa: F401 - the "awards" fixture

FACT, DETAIL = "学业条件不满足", "本学期有课程不及格"


def _reasons(html: str) -> str:
    """The reasons shown for members (the board's excluded lists, a member's eligibility line), without the page's
    statement of the rule itself ("…或本学期有课程不及格，不参加本学期评优")."""
    parts = re.findall(r'<div class="award-excluded">.*?</div>', html, flags=re.S)
    parts += re.findall(r'<p class="eligibility">.*?</p>', html, flags=re.S)
    return "\n".join(parts)


def _pages(s):
    board = reverse("scoring:award_board", kwargs={"organisation_id": s.org.pk, "term_id": s.term.pk})
    person = reverse("scoring:person_score", kwargs={"organisation_id": s.org.pk, "person_id": s.student_x.pk})
    return [board, f"{person}?term={s.term.pk}"]


@pytest.mark.parametrize(("persona", "detail"), [
    ("office", False), ("president", False), ("head", False),  # they run awards: the fact, not the course
    ("admin", True),  # the school's admin sees academic standing on the person page: here too
])
def test_who_reads_what_on_the_award_and_score_pages(client, awards, persona, detail):
    client.force_login(getattr(awards, persona))
    for url in _pages(awards):
        response = client.get(url)
        assert response.status_code == 200, url
        html = _reasons(response.content.decode())
        if detail:
            assert DETAIL in html, url
        else:
            assert FACT in html and DETAIL not in html, url


def test_the_person_page_and_the_award_pages_agree(client, awards):
    """Each persona either sees the standing on the person page and the detail on the award pages, or neither."""
    person = reverse("members:person_detail", kwargs={"person_id": awards.student_x.pk})
    for persona in ("office", "president", "head", "admin"):
        user = getattr(awards, persona)
        with tenant_scope(awards.tenant):
            sees = user.has_perm("members.view_discipline", awards.student_x)
        client.force_login(user)
        assert sees == (DETAIL in _reasons(client.get(_pages(awards)[0]).content.decode())), persona
        page = client.get(person)
        if page.status_code == 200:
            assert ("不及格" in page.content.decode()) == sees, persona


def test_a_standing_role_in_scope_sees_the_detail_and_out_of_scope_does_not(awards):
    s = awards
    with tenant_scope(s.tenant):
        counsellor = s.counsellor  # counsellor of student_x's class
        other = UserFactory(tenant=s.tenant, username="alpha_counsellor_b")
        RoleAssignmentFactory(tenant=s.tenant, user=other, role=Role.COUNSELLOR, school_class=s.class_b)
        assert standing_visible_ids(counsellor, person_ids=[s.student_x.pk]) == {s.student_x.pk}
        assert standing_visible_ids(other, person_ids=[s.student_x.pk]) == set()
        assert standing_visible_ids(s.office, person_ids=[s.student_x.pk]) == set()
        board = award_selectors.award_board(organisation=s.org, term=s.term, viewer=counsellor)
        office = board.group(s.dept.pk, AwardCategory.OFFICER)
        assert [e.reasons for e in office.excluded] == [[DETAIL]]
        board = award_selectors.award_board(organisation=s.org, term=s.term, viewer=other)
        assert [e.reasons for e in board.group(s.dept.pk, AwardCategory.OFFICER).excluded] == [[FACT]]
        board = award_selectors.award_board(organisation=s.org, term=s.term)  # no viewer: no detail
        assert [e.reasons for e in board.group(s.dept.pk, AwardCategory.OFFICER).excluded] == [[FACT]]


def test_the_award_exports_carry_no_failed_course(client, awards):
    client.force_login(awards.office)
    url = reverse("scoring:award_download", kwargs={"organisation_id": awards.org.pk, "term_id": awards.term.pk,
                                                    "fmt": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)), read_only=True)
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not any(DETAIL in c for c in cells) and awards.student_x.name not in cells
