"""Rulebook pages by persona: the office of the organisation and the school's admin edit and re-score; the
president and a department head read; an officer gets 403; another organisation's office and another school 404.
Bad input is shown on the page and changes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import OrganisationFactory, TermFactory
from scoring import services
from scoring.forms.rulebooks import RulebookForm
from scoring.models import Rule, Rulebook, TermRulebook
from scoring.selectors import rulebooks as rulebook_selectors
from scoring.services import rulebooks
from tests.personas import add_other_office, add_president, personas, statuses


@pytest.fixture
def world(school):
    """Version 1, the running term scored under it (the officer late at a 3-star meeting), a president, and the
    office of another organisation of the same school."""
    now = timezone.now()
    with tenant_scope(school.tenant):
        start = now - dt.timedelta(hours=2)
        meeting = attendance.meeting_create(organisation=school.org, kind=MeetingKind.OTHER, title="三星会议",
                                            stars=3, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                            audience=Audience.ORGANISATION, user=school.office, now=now)
        attendance.attendance_mark(meeting=meeting, user=school.office, now=now, marks=[
            {"person": school.officer.person_id, "status": "late", "late_minutes": 5}])
        services.ledger_sync(organisation=school.org, term=school.term, now=now)
        school.v1 = Rulebook.objects.get(organisation=school.org)
        school.president = add_president(school)
        school.other_office = add_other_office(school)
    return school


def _form_data(school, rulebook, **overrides):
    """What the edit page posts when nothing is touched, with ``overrides``."""
    with tenant_scope(school.tenant):
        form = RulebookForm(rulebook=rulebook, rules=rulebook_selectors.rulebook_rules(rulebook=rulebook))
    data = {}
    for name in form.fields:
        value = form[name].initial
        if value is None or value is False or value == []:
            continue
        data[name] = value if isinstance(value, list) else str(value)
    data.update(overrides)
    return data


def _split(school, rulebook) -> dict:
    with tenant_scope(school.tenant):
        rules = list(Rule.objects.filter(rulebook=rulebook, code="SC-3"))
    return {(f"r{r.pk}_stars_min" if r.stars_min == 3 else f"r{r.pk}_stars_max"): "4" if r.stars_min == 3 else "3"
            for r in rules}


def _url(name, school, **kwargs):
    return reverse(f"scoring:{name}", kwargs={"organisation_id": school.org.pk, **kwargs})


# --- who sees what ---


def test_the_rulebook_page_by_persona(client, world):
    assert statuses(client, _url("rulebook", world), personas(world)) == {
        "office": 200, "admin": 200, "president": 200, "head": 200, "officer": 403, "other_office": 404,
        "other_school": 404}
    client.force_login(world.president)
    html = client.get(_url("rulebook", world)).content.decode()
    assert "第五条 1(1)" in html and "部门例会迟到" in html and "其他会议、值班 3–5 星 迟到" in html
    assert "处分阶梯" in html and _url("rulebook_edit", world) not in html  # read-only
    client.force_login(world.office)
    assert _url("rulebook_edit", world) in client.get(_url("rulebook", world)).content.decode()


def test_the_edit_page_by_persona(client, world):
    url = _url("rulebook_edit", world)
    assert statuses(client, url, personas(world)) == {
        "office": 200, "admin": 200, "president": 403, "head": 403, "officer": 403, "other_office": 404,
        "other_school": 404}
    data = _form_data(world, world.v1, note="试图修改", **_split(world, world.v1))
    assert statuses(client, url, {"president": world.president, "head": world.head}, "post", data) == {
        "president": 403, "head": 403}
    with tenant_scope(world.tenant):
        assert Rulebook.objects.filter(organisation=world.org).count() == 1


def test_the_version_page_by_persona(client, world):
    url = _url("rulebook_version", world, rulebook_id=world.v1.pk)
    assert statuses(client, url, personas(world)) == {
        "office": 200, "admin": 200, "president": 200, "head": 200, "officer": 403, "other_office": 404,
        "other_school": 404}
    with tenant_scope(world.tenant):
        foreign = services.rulebook_ensure(organisation=OrganisationFactory(tenant=world.tenant),
                                           now=timezone.now())
    client.force_login(world.office)
    assert client.get(_url("rulebook_version", world, rulebook_id=foreign.pk)).status_code == 404


# --- editing ---


def test_the_office_saves_a_new_version(client, world):
    client.force_login(world.office)
    data = _form_data(world, world.v1, note="其他会议与值班按 4 星分档", **_split(world, world.v1))
    response = client.post(_url("rulebook_edit", world), data)
    assert response.status_code == 302 and response.url == _url("rulebook", world)
    with tenant_scope(world.tenant):
        v2 = Rulebook.objects.get(organisation=world.org, version=2)
        assert (v2.note, v2.created_by) == ("其他会议与值班按 4 星分档", world.office)
        assert TermRulebook.objects.get(organisation=world.org, term=world.term).rulebook == world.v1
    html = client.get(_url("rulebook", world)).content.decode()
    assert "第 2 版" in html and "其他会议与值班按 4 星分档" in html and "其他会议、值班 4–5 星 迟到" in html
    assert _url("term_rescore", world, term_id=world.term.pk) in html  # the running term is on version 1
    version = client.get(_url("rulebook_version", world, rulebook_id=v2.pk)).content.decode()
    assert "与第 1 版相比的改动" in version and "1–2 星" in version and "1–3 星" in version


def test_settings_are_edited_on_the_same_page(client, world):
    client.force_login(world.admin)
    data = _form_data(world, world.v1, note="评优比例 25%", s_share="25", s_warning_lates="", s_demerit_no_proposal="")
    assert client.post(_url("rulebook_edit", world), data).status_code == 302
    with tenant_scope(world.tenant):
        settings = Rulebook.objects.get(organisation=world.org, version=2).settings
    assert settings["award_share_percent"] == 25
    assert "lates" not in settings["ladder"]["warning"]
    assert "no_proposal" not in settings["ladder"]["demerit"]["incidents"]
    assert settings["ladder"]["dismissal"] == world.v1.settings["ladder"]["dismissal"]


def test_the_office_asks_the_whole_presidium_to_approve(client, world):
    client.force_login(world.office)
    data = _form_data(world, world.v1, note="加分须主席团全体同意", s_approval="presidium")
    assert client.post(_url("rulebook_edit", world), data).status_code == 302
    with tenant_scope(world.tenant):
        v2 = Rulebook.objects.get(organisation=world.org, version=2)
    assert v2.settings["discretionary_approval"] == "presidium"
    html = client.get(reverse("scoring:rulebook_version", kwargs={"organisation_id": world.org.pk,
                                                                  "rulebook_id": v2.pk})).content.decode()
    assert "加分审批：总部长批准 → 主席团全体成员同意" in html


@pytest.mark.parametrize("overrides, message", [
    ({}, "没有任何修改，未生成新版本。"),
    ({"s_approval": "everyone"}, "选择一个有效的选项"),
    ({"note": ""}, "这个字段是必填项"),
    ({"s_share": "0"}, "评优名额比例"),
    ({"s_lates_cadre": "abc"}, "输入整数"),
    ({"s_demerit_lates": "2"}, "处分阶梯须逐级递增：记过的迟到次数（2）不能少于警告的（3）。"),
    ({"base": "0"}, "考核细则已有更新的版本（第 1 版）"),
])
def test_bad_input_is_shown_and_nothing_is_saved(client, world, overrides, message):
    client.force_login(world.office)
    data = _form_data(world, world.v1, note="试一下")
    data.update(overrides)
    response = client.post(_url("rulebook_edit", world), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    with tenant_scope(world.tenant):
        assert Rulebook.objects.filter(organisation=world.org).count() == 1


def test_an_overlap_and_a_gap_are_listed_in_words(client, world):
    client.force_login(world.office)
    with tenant_scope(world.tenant):
        late = Rule.objects.get(rulebook=world.v1, code="SC-1", outcome="late")
        sc3_leave = Rule.objects.get(rulebook=world.v1, code="SC-3", outcome="leave", stars_min=1)
    data = _form_data(world, world.v1, note="出错的修改")
    data[f"r{late.pk}_kinds"] = ["department", "plenary"]
    data[f"r{sc3_leave.pk}_kinds"] = ["other"]
    html = client.post(_url("rulebook_edit", world), data).content.decode()
    assert "全体会议 1–5 星 迟到 同时匹配 2 条规则（第五条 1(1) 部门例会迟到、第五条 1(5) 全体会议迟到）" in html
    assert "没有规则匹配：值班 1–2 星 请假" in html
    with tenant_scope(world.tenant):
        assert Rulebook.objects.filter(organisation=world.org).count() == 1


def test_a_new_band_is_added_on_the_page(client, world):
    client.force_login(world.office)
    with tenant_scope(world.tenant):
        band = {f"r{r.pk}_stars_max": "4" for r in Rule.objects.filter(rulebook=world.v1, code="SC-3",
                                                                      stars_min=3, outcome__in=["late"])}
    data = _form_data(world, world.v1, note="五星会议迟到 −3", new_code="SC-3", new_clause="第七条 细则 3",
                      new_label="五星级会议迟到", new_outcome="late", new_kinds=["other", "duty"],
                      new_stars_min="5", new_stars_max="5", new_points="-3", **band)
    assert client.post(_url("rulebook_edit", world), data).status_code == 302
    with tenant_scope(world.tenant):
        v2 = Rulebook.objects.get(organisation=world.org, version=2)
        assert services.engine_rulebook(v2).rule("mark", "late", kind="duty", stars=5).points == -3


def test_a_mark_rule_is_deleted_on_the_page(client, world):
    client.force_login(world.office)
    with tenant_scope(world.tenant):
        low = Rule.objects.get(rulebook=world.v1, code="SC-3", outcome="early_leave", stars_min=1)
        high = Rule.objects.get(rulebook=world.v1, code="SC-3", outcome="early_leave", stars_min=3)
    data = _form_data(world, world.v1, note="早退不再分档", **{f"r{low.pk}_delete": "on", f"r{high.pk}_stars_min": "1"})
    assert client.post(_url("rulebook_edit", world), data).status_code == 302
    with tenant_scope(world.tenant):
        assert Rule.objects.filter(rulebook__version=2, rulebook__organisation=world.org).count() == 59


# --- an organisation without a rulebook ---


def test_an_organisation_without_a_rulebook_starts_from_the_defaults(client, world):
    # a new alliance organisation gets its rulebook when created; one that became an alliance later has none
    with tenant_scope(world.tenant):
        fresh = OrganisationFactory(tenant=world.tenant, name="新联盟", kind="other")
        type(fresh).objects.filter(pk=fresh.pk).update(kind="alliance")
    url = reverse("scoring:rulebook", kwargs={"organisation_id": fresh.pk})
    start = reverse("scoring:rulebook_start", kwargs={"organisation_id": fresh.pk})
    client.force_login(world.admin)
    assert "还没有考核细则" in client.get(url).content.decode()
    assert client.get(start).status_code == 405
    client.force_login(world.office)
    assert client.post(start).status_code == 404  # the office of another organisation
    client.force_login(world.admin)
    assert client.post(start).status_code == 302
    with tenant_scope(world.tenant):
        assert Rulebook.objects.get(organisation=fresh).version == 1
    assert "第 1 版" in client.get(url).content.decode()


# --- re-scoring ---


def _v2(client, world):
    client.force_login(world.office)
    client.post(_url("rulebook_edit", world), _form_data(world, world.v1, note="按 4 星分档",
                                                         **_split(world, world.v1)))
    with tenant_scope(world.tenant):
        return Rulebook.objects.get(organisation=world.org, version=2)


def test_the_preview_and_the_confirmation_by_persona(client, world):
    v2 = _v2(client, world)
    url = _url("term_rescore", world, term_id=world.term.pk)
    assert statuses(client, url, personas(world)) == {
        "office": 200, "admin": 200, "president": 403, "head": 403, "officer": 403, "other_office": 404,
        "other_school": 404}
    assert statuses(client, url, {"president": world.president, "officer": world.officer}, "post",
                     {"rulebook": v2.pk}) == {"president": 403, "officer": 403}
    client.force_login(world.office)
    assert client.get(_url("term_rescore", world, term_id=world.other.term.pk)).status_code == 404
    html = client.get(url).content.decode()
    assert world.officer.person.name in html and "68" in html and "69" in html  # 70−2 → 70−1
    assert "三星级以下其他会议或值班迟到" in html
    with tenant_scope(world.tenant):
        assert TermRulebook.objects.get(organisation=world.org, term=world.term).rulebook == world.v1
    response = client.post(url, {"rulebook": v2.pk})
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        assert TermRulebook.objects.get(organisation=world.org, term=world.term).rulebook == v2
    client.force_login(world.officer)
    assert "69" in client.get(reverse("scoring:my_score")).content.decode()


def test_a_stale_or_closed_rescore_is_refused_with_a_message(client, world):
    v2 = _v2(client, world)
    url = _url("term_rescore", world, term_id=world.term.pk)
    client.force_login(world.office)
    response = client.post(url, {"rulebook": world.v1.pk}, follow=True)
    assert "只能按最新版本（第 2 版）重新计分" in response.content.decode()
    assert client.post(url, {"rulebook": "x"}).status_code == 404
    today = local_date(timezone.now())
    with tenant_scope(world.tenant):
        past = TermFactory(tenant=world.tenant, name="上学期", start=today - dt.timedelta(days=200),
                           end=today - dt.timedelta(days=60))
        TermRulebook.objects.create(tenant=world.tenant, organisation=world.org, term=past, rulebook=world.v1,
                                    bound_at=timezone.now())
    closed = _url("term_rescore", world, term_id=past.pk)
    assert "上学期已经结束，不能重新计分" in client.get(closed, follow=True).content.decode()
    assert "上学期已经结束" in client.post(closed, {"rulebook": v2.pk}, follow=True).content.decode()
    page = client.get(_url("rulebook", world)).content.decode()
    assert closed not in page and url in page
    with tenant_scope(world.tenant):
        assert TermRulebook.objects.get(organisation=world.org, term=past).rulebook == world.v1
        assert TermRulebook.objects.get(organisation=world.org, term=world.term).rulebook == world.v1


# --- queries, list and menu ---


def test_the_rulebook_page_runs_a_constant_number_of_queries(client, world, django_assert_num_queries):
    def edit(base, n):
        late = Rule.objects.get(rulebook=base, code="SC-1", outcome="late")
        return rulebooks.rulebook_edit(organisation=world.org, base=base, changes={late.pk: {"points": -1 - n}},
                                       note=f"第 {n} 次", user=world.office, now=timezone.now())

    client.force_login(world.office)
    with tenant_scope(world.tenant):
        v2 = edit(world.v1, 1)
    url, version = _url("rulebook", world), _url("rulebook_version", world, rulebook_id=v2.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as page:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as one_version:
        assert client.get(version).status_code == 200
    base = v2
    with tenant_scope(world.tenant):
        for n in range(2, 5):  # more versions, and more terms bound to them
            base = edit(base, n)
            TermRulebook.objects.create(tenant=world.tenant, organisation=world.org, term=TermFactory(
                tenant=world.tenant), rulebook=base, bound_at=timezone.now())
    with django_assert_num_queries(len(page)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(one_version)):
        assert client.get(_url("rulebook_version", world, rulebook_id=base.pk)).status_code == 200


def test_the_preview_page_runs_a_constant_number_of_queries(client, world, django_assert_num_queries):
    from members.tests.factories import MembershipFactory, PersonFactory

    _v2(client, world)
    url = _url("term_rescore", world, term_id=world.term.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    now = timezone.now()
    with tenant_scope(world.tenant):
        people = [PersonFactory(tenant=world.tenant) for _ in range(5)]
        for person in people:
            MembershipFactory(tenant=world.tenant, person=person, organisation=world.org, department=world.dept,
                              position=world.officer_post, term=world.term, start=world.term.start)
        start = now - dt.timedelta(hours=3)
        meeting = attendance.meeting_create(organisation=world.org, kind=MeetingKind.DUTY, title="值班", stars=3,
                                            starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                            audience=Audience.ORGANISATION, user=world.office, now=now)
        attendance.attendance_mark(meeting=meeting, user=world.office, now=now, marks=[
            {"person": p.pk, "status": "late", "late_minutes": 3} for p in people])
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_list_and_the_menu(client, world):
    client.force_login(world.office)
    assert client.get(reverse("scoring:rulebook_list")).url == _url("rulebook", world)
    assert reverse("scoring:rulebook_list") in client.get("/").content.decode()
    with tenant_scope(world.tenant):
        OrganisationFactory(tenant=world.tenant, name="第二联盟")
    client.force_login(world.admin)
    assert "第二联盟" in client.get(reverse("scoring:rulebook_list")).content.decode()
    client.force_login(world.officer)
    assert reverse("scoring:rulebook_list") not in client.get("/").content.decode()
    assert client.get(reverse("scoring:rulebook_list")).status_code == 403
