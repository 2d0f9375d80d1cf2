"""Award pages by persona: the office, the presidium and the school's admin see every department; a department
head their own and proposes it (the president the presidium's); the office confirms; an officer gets 403;
another organisation's office and another school get 404. The lists print as PDF and Excel."""

import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from scoring.models import Award, AwardCategory
from scoring.tests.award_world import add_officers, awards_fixture, give  # noqa: F401 - the "awards" fixture

OFFICER, CADRE = AwardCategory.OFFICER, AwardCategory.CADRE


def _board_url(s, term=None):
    return reverse("scoring:award_board", kwargs={"organisation_id": s.org.pk, "term_id": (term or s.term).pk})


def _action(s, name, department, term=None):
    return reverse(f"scoring:{name}", kwargs={"organisation_id": s.org.pk, "term_id": (term or s.term).pk,
                                              "department_id": department.pk})


def _download(s, fmt):
    return reverse("scoring:award_download", kwargs={"organisation_id": s.org.pk, "term_id": s.term.pk, "fmt": fmt})


def _stored(s):
    with tenant_scope(s.tenant):
        return sorted((a.department.name, a.category, a.person.name, a.status)
                      for a in Award.objects.select_related("department", "person"))


def _groups(response):
    return [(g.department.name, g.category) for g in response.context["board"].groups]


# --- the page ---


def test_the_board_by_persona(client, awards, other_office):
    url = _board_url(awards)
    everything = [("主席团", CADRE), ("办公室", OFFICER), ("办公室", CADRE), ("宣传部", OFFICER), ("宣传部", CADRE)]
    for user in (awards.office, awards.president, awards.admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and _groups(response) == everything, user.username
    client.force_login(awards.publicity_head)
    assert _groups(client.get(url)) == [("宣传部", OFFICER), ("宣传部", CADRE)]
    client.force_login(awards.officer)
    assert client.get(url).status_code == 403  # an officer sees only their own score
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    client.force_login(awards.other_admin)
    assert client.get(url).status_code == 404
    client.force_login(awards.office)
    assert client.get(_board_url(awards, term=awards.other.term)).status_code == 404  # another school's term


def test_the_page_explains_every_list(client, awards):
    client.force_login(awards.office)
    html = client.get(_board_url(awards)).content.decode()
    assert "干事共 7 人 × 20% = 1.4，四舍五入为 1 人；末位同分者均入选，名单共 2 人。" in html
    assert "并列" in html and "第 1 名" in html
    person = reverse("scoring:person_score", kwargs={"organisation_id": awards.org.pk,
                                                     "person_id": awards.members[0].pk})
    assert f'{person}?term={awards.term.pk}' in html  # every score links to the explained ledger
    assert "迟到 2 次、无故缺席 1 次，共 3 次（满 3 次不参加评优）" in html and "学业条件不满足" in html
    assert "本学期有课程不及格</small>" not in html  # the office does not see academic standing (test_award_standing)
    assert "未推荐" in html
    assert _action(awards, "award_propose", awards.publicity) not in html  # the office does not propose
    assert "本学期尚未结束" in html and "只显示你所在部门的名单" not in html


def test_the_head_sees_the_propose_button_of_their_own_department_only(client, awards):
    client.force_login(awards.publicity_head)
    html = client.get(_board_url(awards)).content.decode()
    assert _action(awards, "award_propose", awards.publicity) in html
    assert _action(awards, "award_propose", awards.dept) not in html
    assert _action(awards, "award_confirm", awards.publicity) not in html
    assert "只显示你所在部门的名单" in html


def test_the_menu_and_the_term_picker_lead_to_the_board(client, awards):
    client.force_login(awards.office)
    assert reverse("scoring:award_home") in client.get("/").content.decode()
    response = client.get(reverse("scoring:award_home"))
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == _board_url(awards)
    assert client.get(_board_url(awards), {"term": awards.term.pk}).status_code == 200
    client.force_login(awards.officer)
    assert reverse("scoring:award_home") not in client.get("/").content.decode()
    assert client.get(reverse("scoring:award_home")).status_code == 403


# --- proposing and confirming ---


def test_the_head_proposes_and_the_office_confirms(client, awards):
    client.force_login(awards.publicity_head)
    response = client.post(_action(awards, "award_propose", awards.publicity), {
        "category": OFFICER, "person": [awards.members[0].pk, awards.members[1].pk]})
    assert response.status_code == 302 and response.url.endswith(f"#awards-{awards.publicity.pk}-officer")
    assert _stored(awards) == [("宣传部", "officer", "宣传干事0", "proposed"),
                               ("宣传部", "officer", "宣传干事1", "proposed")]
    client.force_login(awards.office)
    html = client.get(_board_url(awards)).content.decode()
    assert _action(awards, "award_confirm", awards.publicity) in html and "部长已推荐" in html
    response = client.post(_action(awards, "award_confirm", awards.publicity), {"category": OFFICER}, follow=True)
    assert "已确认宣传部的优秀干事名单。" in response.content.decode()
    assert {row[3] for row in _stored(awards)} == {"confirmed"}
    response = client.post(_action(awards, "award_confirm", awards.publicity), {"category": OFFICER}, follow=True)
    assert "这份名单已经确认过了。" in response.content.decode()


def test_bad_proposals_say_why_and_change_nothing(client, awards):
    client.force_login(awards.publicity_head)
    response = client.post(_action(awards, "award_propose", awards.publicity),
                           {"category": OFFICER, "person": [awards.members[6].pk]}, follow=True)
    assert "宣传干事6不符合评优资格" in response.content.decode()
    response = client.post(_action(awards, "award_propose", awards.publicity), {"category": OFFICER}, follow=True)
    assert "请至少推荐一人。" in response.content.decode()
    assert _stored(awards) == []


def test_who_may_propose_and_confirm(client, awards, other_office):
    propose = _action(awards, "award_propose", awards.publicity)
    confirm = _action(awards, "award_confirm", awards.publicity)
    data = {"category": OFFICER, "person": [awards.members[0].pk]}
    client.force_login(awards.head)  # the head of another department: not theirs to see
    assert client.post(propose, data).status_code == 404
    for user in (awards.office, awards.admin, awards.president):  # may see, may not propose
        client.force_login(user)
        assert client.post(propose, data).status_code == 403, user.username
    client.force_login(awards.officer)
    assert client.post(propose, data).status_code == 403
    for user in (other_office, awards.other_admin):
        client.force_login(user)
        assert client.post(propose, data).status_code == 404
        assert client.post(confirm, {"category": OFFICER}).status_code == 404
    client.force_login(awards.publicity_head)
    assert client.get(propose).status_code == 405
    assert client.post(propose, data).status_code == 302
    for user in (awards.publicity_head, awards.admin, awards.president):
        client.force_login(user)
        assert client.post(confirm, {"category": OFFICER}).status_code == 403, user.username
    assert _stored(awards) == [("宣传部", "officer", "宣传干事0", "proposed")]


def test_the_president_proposes_the_presidium(client, awards):
    url = _action(awards, "award_propose", awards.presidium)
    client.force_login(awards.office)
    assert client.post(url, {"category": CADRE, "person": [awards.president.person_id]}).status_code == 403
    client.force_login(awards.president)
    assert _action(awards, "award_propose", awards.presidium) in client.get(_board_url(awards)).content.decode()
    client.post(url, {"category": CADRE, "person": [awards.president.person_id]})
    assert _stored(awards) == [("主席团", "cadre", awards.president.person.name, "proposed")]
    client.force_login(awards.office)
    assert "总部长已推荐" in client.get(_board_url(awards)).content.decode()


def test_a_list_whose_basis_changed_is_flagged_and_not_offered_for_confirmation(client, awards):
    client.force_login(awards.publicity_head)
    client.post(_action(awards, "award_propose", awards.publicity), {
        "category": OFFICER, "person": [awards.members[0].pk, awards.members[1].pk]})
    with tenant_scope(awards.tenant):
        give(awards, awards.members[1], -1)
    client.force_login(awards.office)
    html = client.get(_board_url(awards)).content.decode()
    assert "标出的成员已不在按积分计算出的名单上" in html and "已不在名单上" in html
    assert _action(awards, "award_confirm", awards.publicity) not in html
    client.force_login(awards.publicity_head)
    html = client.get(_board_url(awards)).content.decode()
    assert f'name="person" value="{awards.members[0].pk}" checked' in html


# --- queries ---


def test_the_board_runs_a_constant_number_of_queries(client, awards, django_assert_num_queries):
    client.force_login(awards.office)
    url = _board_url(awards)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_officers(awards, 12, start_points=1)
    add_officers(awards, 5, department=awards.dept, start_points=20)
    with tenant_scope(awards.tenant):
        Award.objects.create(tenant=awards.tenant, organisation=awards.org, term=awards.term,
                             department=awards.publicity, category=OFFICER, person=awards.members[0], score=78,
                             proposed_by=awards.publicity_head, proposed_at=timezone.now())
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.context["board"].group(awards.publicity.pk, OFFICER).headcount == 19


# --- the printable list and the spreadsheet ---


def _proposed_and_confirmed(client, awards):
    client.force_login(awards.publicity_head)
    client.post(_action(awards, "award_propose", awards.publicity), {
        "category": OFFICER, "person": [awards.members[0].pk, awards.members[1].pk]})
    client.post(_action(awards, "award_propose", awards.publicity), {
        "category": CADRE, "person": [awards.publicity_head.person_id]})
    client.force_login(awards.office)
    client.post(_action(awards, "award_confirm", awards.publicity), {"category": OFFICER})


def test_the_excel_holds_the_proposed_and_confirmed_lists(client, awards):
    _proposed_and_confirmed(client, awards)
    response = client.get(_download(awards, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.values)
    assert list(rows[0]) == ["部门", "奖项", "序号", "姓名", "学号", "学期积分", "状态", "推荐人", "推荐时间", "确认人",
                             "确认时间"]
    assert [row[:4] + (row[5], row[6]) for row in rows[1:]] == [
        ("宣传部", "优秀干事", 1, "宣传干事0", 78, "办公室已确认"),
        ("宣传部", "优秀干事", 2, "宣传干事1", 78, "办公室已确认"),
        ("宣传部", "优秀干部", 1, awards.publicity_head.person.name, 72, "部长已推荐")]
    assert rows[1][9] == awards.office.person.name


def test_downloads_by_persona(client, awards, other_office):
    _proposed_and_confirmed(client, awards)
    client.force_login(awards.head)  # the head of 办公室: 宣传部's rows are not theirs
    book = load_workbook(io.BytesIO(b"".join(client.get(_download(awards, "xlsx")).streaming_content)),
                         read_only=True)
    assert len(list(book.active.values)) == 1
    client.force_login(awards.officer)
    assert client.get(_download(awards, "xlsx")).status_code == 403
    for user in (other_office, awards.other_admin):
        client.force_login(user)
        assert client.get(_download(awards, "xlsx")).status_code == 404
    client.force_login(awards.office)
    assert client.get(_download(awards, "csv")).status_code == 404


pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) missing")


@pdf_tools
def test_the_pdf_is_an_a4_list_with_the_names_as_text_in_an_embedded_cjk_font(client, awards, tmp_path):
    _proposed_and_confirmed(client, awards)
    client.force_login(awards.office)
    response = client.get(_download(awards, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "awards.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert f"{awards.org.name}{awards.term.name}评优名单" in flat
    assert "宣传部·优秀干事办公室已确认" in flat and "宣传部·优秀干部部长已推荐" in flat
    for person in awards.members[:2]:
        assert person.name in flat and person.number in flat
    assert "尚未推荐：主席团优秀干部、办公室优秀干事、办公室优秀干部" in flat
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)
    page = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in page or "595 x 842" in page  # A4 portrait
