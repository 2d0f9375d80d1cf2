"""The discretionary-entry, approval and incident pages by persona: the office enters and removes, the president
decides, the presidium and the school's admin read, a department head reads their department's, an officer gets
403 (or 404 for a row), another organisation's office and another school 404. List pages run a constant number
of queries."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import User
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from scoring.models import DiscretionaryEntry, Incident, LedgerEntry, Sanction
from scoring.services import entries
from scoring.tests.entry_world import _by_presidium
from tests.personas import personas, statuses


def _today():
    return local_date(timezone.now())


def _url(name, **kwargs):
    return reverse(f"scoring:{name}", kwargs=kwargs)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _enter(cast, **kwargs):
    school = cast.school
    values = {"organisation": school.org, "kind": "helping", "points": 6, "reason": "协助宣传部布置会场",
              "on": _today(), "user": school.office, "now": timezone.now(), "person": school.officer.person,
              **kwargs}
    with tenant_scope(school.tenant):
        return entries.discretionary_enter(**values)


def _incident(cast, **kwargs):
    school = cast.school
    values = {"organisation": school.org, "kind": "disobedience", "on": _today(), "note": "拒绝值班安排",
              "user": school.office, "now": timezone.now(), "person": school.officer.person, **kwargs}
    with tenant_scope(school.tenant):
        return entries.incident_record(**values)


# --- the entry page of the menu ---


def test_the_menu_leads_each_one_to_their_page(client, cast):
    school = cast.school
    home = _url("entries_home")
    client.force_login(school.office)
    assert reverse("scoring:entries_home") in client.get("/").content.decode()
    assert client.get(home)["Location"] == _url("discretionary_list", organisation_id=school.org.pk)
    client.force_login(cast.president)
    assert client.get(home)["Location"] == _url("discretionary_approvals", organisation_id=school.org.pk)
    client.force_login(school.officer)
    assert reverse("scoring:entries_home") not in client.get("/").content.decode()
    assert client.get(home).status_code == 403
    client.force_login(school.admin)  # two alliance organisations in the school: a choice
    html = client.get(home).content.decode()
    assert school.org.name in html and cast.other_org.name in html


# --- discretionary entries ---


def test_the_discretionary_page_by_persona(client, cast):
    school = cast.school
    _enter(cast, reason="布置会场")
    url = _url("discretionary_list", organisation_id=school.org.pk)
    assert statuses(client, url, personas(cast.school, cast)) == {
        "office": 200, "president": 200, "admin": 200, "head": 200, "officer": 403, "other_office": 404,
        "other_school": 404}
    client.force_login(school.office)
    response = client.get(url)
    html = response.content.decode()
    assert response.context["form"] is not None
    assert "帮助其他部门（+5…+10）" in html and "第六条 二 1" in html and "布置会场" in html
    client.force_login(cast.president)
    response = client.get(url)
    assert response.context["form"] is None and "布置会场" in response.content.decode()
    assert client.get(url, {"term": 999999}).status_code == 404


def test_the_office_enters_and_a_positive_entry_waits(client, cast):
    school = cast.school
    url = _url("discretionary_list", organisation_id=school.org.pk)
    client.force_login(school.office)
    response = client.post(url, {"kind": "helping", "person": school.officer.person_id, "points": "8",
                                 "on": _today().isoformat(), "reason": "帮助宣传部出板报"})
    assert response.status_code == 302
    assert "待总部长审批" in " ".join(_messages(response))
    with tenant_scope(school.tenant):
        entry = DiscretionaryEntry.objects.get()
        assert (entry.points, entry.approval, entry.entered_by) == (8, "pending", school.office)
        assert not LedgerEntry.objects.exists()


def test_an_entry_out_of_range_shows_the_message_on_the_form_and_saves_nothing(client, cast):
    school = cast.school
    url = _url("discretionary_list", organisation_id=school.org.pk)
    client.force_login(school.office)
    response = client.post(url, {"kind": "helping", "person": school.officer.person_id, "points": "12",
                                 "on": _today().isoformat(), "reason": "帮助宣传部出板报"})
    assert response.status_code == 200
    assert response.context["form"].errors["points"] == ["分值须在 +5 到 +10 之间。"]
    assert "分值须在 +5 到 +10 之间。" in response.content.decode()
    response = client.post(url, {"kind": "helping", "person": school.officer.person_id, "points": "6",
                                 "on": _today().isoformat(), "reason": ""})
    assert response.context["form"].errors["reason"] == ["请填写理由。"]
    response = client.post(url, {"kind": "outstanding_department", "person": school.officer.person_id,
                                 "points": "3", "on": _today().isoformat(), "reason": "部门工作突出"})
    assert "请选择部门" in response.context["form"].errors["person"][0]
    with tenant_scope(school.tenant):
        assert not DiscretionaryEntry.objects.exists()


def test_only_the_office_posts_an_entry(client, cast):
    school = cast.school
    url = _url("discretionary_list", organisation_id=school.org.pk)
    data = {"kind": "helping", "person": school.officer.person_id, "points": "6", "on": _today().isoformat(),
            "reason": "帮忙"}
    users = personas(cast.school, cast)
    del users["office"]
    assert statuses(client, url, users, "post", data) == {
        "president": 403, "admin": 403, "head": 403, "officer": 403, "other_office": 404, "other_school": 404}
    with tenant_scope(school.tenant):
        assert not DiscretionaryEntry.objects.exists()


def test_the_approval_queue_by_persona(client, cast):
    school = cast.school
    entry = _enter(cast, reason="活动策划出色")
    _enter(cast, kind="late_task", points=-2, reason="逾期")  # a deduction is not in the queue
    url = _url("discretionary_approvals", organisation_id=school.org.pk)
    assert statuses(client, url, personas(cast.school, cast)) == {
        "office": 200, "president": 200, "admin": 200, "head": 200, "officer": 403, "other_office": 404,
        "other_school": 404}
    decide = _url("discretionary_decide", discretionaryentry_id=entry.pk)
    client.force_login(cast.president)
    response = client.get(url)
    assert [row.entry.pk for row in response.context["rows"]] == [entry.pk]
    assert decide in response.content.decode()
    client.force_login(school.office)
    html = client.get(url).content.decode()
    assert "活动策划出色" in html and decide not in html and "只读" in html


def test_the_president_approves_and_the_points_count(client, cast):
    school = cast.school
    entry = _enter(cast, points=9)
    client.force_login(cast.president)
    response = client.post(_url("discretionary_decide", discretionaryentry_id=entry.pk),
                           {"decision": "approve", "note": "同意"})
    assert response["Location"] == _url("discretionary_approvals", organisation_id=school.org.pk)
    assert "已批准" in " ".join(_messages(response))
    with tenant_scope(school.tenant):
        entry.refresh_from_db()
        assert (entry.approval, entry.decision_note) == ("approved", "同意")
        assert list(LedgerEntry.objects.values_list("person_id", "points")) == [(school.officer.person_id, 9)]
    response = client.post(_url("discretionary_decide", discretionaryentry_id=entry.pk), {"decision": "refuse"})
    assert "这条加分已经批准过了。" in _messages(response)


def test_a_decision_by_anyone_but_the_president_changes_nothing(client, cast):
    school = cast.school
    entry = _enter(cast)
    url = _url("discretionary_decide", discretionaryentry_id=entry.pk)
    for user in (school.office, school.admin, school.head):  # they see it, and are told why not
        client.force_login(user)
        response = client.post(url, {"decision": "approve"})
        assert response.status_code == 302
        assert "只有本组织的总部长可以审批。" in _messages(response)
    strangers = personas(cast.school, cast, names=("officer", "other_office", "other_school"))
    assert statuses(client, url, strangers, "post", {"decision": "approve"}) == {
        "officer": 404, "other_office": 404, "other_school": 404}
    client.force_login(cast.president)
    assert "请选择批准或不批准。" in _messages(client.post(url, {"decision": "maybe"}))
    with tenant_scope(school.tenant):
        entry.refresh_from_db()
        assert entry.approval == "pending" and not LedgerEntry.objects.exists()


def test_the_office_removes_an_entry(client, cast):
    school = cast.school
    entry = _enter(cast, kind="late_task", points=-3)
    url = _url("discretionary_remove", discretionaryentry_id=entry.pk)
    users = personas(cast.school, cast)
    del users["office"]
    assert statuses(client, url, users, "post") == {
        "president": 403, "admin": 403, "head": 403, "officer": 404, "other_office": 404, "other_school": 404}
    assert client.get(url).status_code == 405
    client.force_login(school.office)
    response = client.post(url)
    assert response["Location"] == _url("discretionary_list", organisation_id=school.org.pk) + (
        f"?term={school.term.pk}")
    with tenant_scope(school.tenant):
        assert not DiscretionaryEntry.objects.exists() and not LedgerEntry.objects.exists()
    approved = _enter(cast)
    with tenant_scope(school.tenant):
        entries.discretionary_decide(entry=approved, approve=True, user=cast.president, now=timezone.now())
    response = client.post(_url("discretionary_remove", discretionaryentry_id=approved.pk))
    assert "已批准的加分不能删除，可由总部长撤销。" in _messages(response)


def test_the_president_revokes_an_approved_entry(client, cast):
    school = cast.school
    entry = _enter(cast, points=7)
    with tenant_scope(school.tenant):
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=timezone.now())
    url = _url("discretionary_revoke", discretionaryentry_id=entry.pk)
    users = personas(cast.school, cast)
    del users["president"]
    assert statuses(client, url, users, "post", {"reason": "重复录入"}) == {
        "office": 403, "admin": 403, "head": 403, "officer": 404, "other_office": 404, "other_school": 404}
    client.force_login(cast.president)
    assert client.get(url).status_code == 405
    listing = _url("discretionary_list", organisation_id=school.org.pk)
    assert url in client.get(listing).content.decode()  # the president sees the revoke form
    response = client.post(url, {"reason": ""})
    assert "请填写撤销理由。" in _messages(response)
    response = client.post(url, {"reason": "与另一条重复"})
    assert response["Location"] == listing + f"?term={school.term.pk}"
    assert "已撤销" in " ".join(_messages(response))
    with tenant_scope(school.tenant):
        entry.refresh_from_db()
        assert (entry.approval, entry.revoke_reason) == ("revoked", "与另一条重复")
        assert not LedgerEntry.objects.exists()
    html = client.get(listing + "?status=revoked").content.decode()
    assert "与另一条重复" in html and url not in html
    assert "这条加分已经撤销过了。" in _messages(client.post(url, {"reason": "再撤"}))
    client.force_login(school.office)
    assert url not in client.get(listing).content.decode()


def test_with_the_presidium_the_queue_shows_who_has_agreed(client, cast):
    school = cast.school
    with tenant_scope(school.tenant):
        vice = _by_presidium(school)
        vice.person = PersonFactory(tenant=school.tenant, name="孙副部")
        vice.save()
    entry = _enter(cast, points=6)
    url = _url("discretionary_approvals", organisation_id=school.org.pk)
    decide = _url("discretionary_decide", discretionaryentry_id=entry.pk)
    client.force_login(cast.president)
    response = client.post(decide, {"decision": "approve", "note": "好"})
    assert "待主席团其他成员同意后计入积分" in " ".join(_messages(response))
    html = client.get(url).content.decode()
    assert "主席团 1/2 人已同意" in html and "孙副部" in html and "您已同意" in html and decide not in html
    client.force_login(vice)
    html = client.get(url).content.decode()
    assert decide in html and "同意" in html
    assert "已批准" in " ".join(_messages(client.post(decide, {"decision": "approve"})))
    with tenant_scope(school.tenant):
        assert list(LedgerEntry.objects.values_list("points", flat=True)) == [6]


def test_with_the_presidium_and_nobody_in_it_the_queue_says_so(client, cast):
    from members.models import RoleAssignment

    school = cast.school
    with tenant_scope(school.tenant):
        _by_presidium(school)
        RoleAssignment.objects.filter(role="president", organisation=school.org).update(
            end=_today() - dt.timedelta(days=1))
    _enter(cast)
    client.force_login(school.office)
    html = client.get(_url("discretionary_approvals", organisation_id=school.org.pk)).content.decode()
    assert "本组织目前没有主席团成员" in html and "主席团 0/0 人已同意" in html


# --- incidents ---


def test_the_incident_page_by_persona(client, cast):
    school = cast.school
    _incident(cast, note="拒绝值班安排")
    url = _url("incident_list", organisation_id=school.org.pk)
    assert statuses(client, url, personas(cast.school, cast)) == {
        "office": 200, "president": 200, "admin": 200, "head": 200, "officer": 403, "other_office": 404,
        "other_school": 404}
    client.force_login(school.office)
    response = client.get(url)
    assert response.context["form"] is not None and "拒绝值班安排" in response.content.decode()
    client.force_login(cast.president)
    assert client.get(url).context["form"] is None


def test_the_office_records_an_incident_and_the_ladder_proposes(client, cast):
    school = cast.school
    url = _url("incident_list", organisation_id=school.org.pk)
    client.force_login(school.office)
    response = client.post(url, {"kind": "misconduct", "person": school.officer.person_id,
                                 "on": _today().isoformat(), "note": "利用职务之便为他人加分"})
    assert response.status_code == 302
    assert "处分阶梯已重新计算" in " ".join(_messages(response))
    with tenant_scope(school.tenant):
        assert Incident.objects.get().kind == "misconduct"
        assert Sanction.objects.get().level == "dismissal"


def test_a_bad_incident_shows_the_message_and_saves_nothing(client, cast):
    school = cast.school
    url = _url("incident_list", organisation_id=school.org.pk)
    client.force_login(school.office)
    cases = [
        ({"kind": "meeting_not_held", "person": school.officer.person_id}, "kind", "是部门的违纪事项"),
        ({"kind": "major_error", "department": school.dept.pk}, "kind", "是个人的违纪事项"),
        ({"kind": "error", "person": school.officer.person_id,
          "on": (_today() + dt.timedelta(days=1)).isoformat()}, "on", "日期不能晚于今天。"),
        ({"kind": "error", "person": school.officer.person_id, "note": ""}, "note", "请填写情况说明。"),
        ({"kind": "error"}, "person", "请选择一名成员或一个部门。"),
        ({"kind": "error", "department": cast.other_dept.pk}, "department", "该部门不属于本组织。"),
    ]
    for change, field, message in cases:
        data = {"on": _today().isoformat(), "note": "说明", **change}
        response = client.post(url, data)
        assert response.status_code == 200, change
        assert message in " ".join(response.context["form"].errors[field]), (change, response.context["form"].errors)
    with tenant_scope(school.tenant):
        assert not Incident.objects.exists()


def test_only_the_office_posts_an_incident(client, cast):
    school = cast.school
    url = _url("incident_list", organisation_id=school.org.pk)
    data = {"kind": "error", "person": school.officer.person_id, "on": _today().isoformat(), "note": "失误"}
    users = personas(cast.school, cast)
    del users["office"]
    assert statuses(client, url, users, "post", data) == {
        "president": 403, "admin": 403, "head": 403, "officer": 403, "other_office": 404, "other_school": 404}
    with tenant_scope(school.tenant):
        assert not Incident.objects.exists()


def test_the_office_removes_an_incident(client, cast):
    school = cast.school
    incident = _incident(cast)
    url = _url("incident_remove", incident_id=incident.pk)
    users = personas(cast.school, cast)
    del users["office"]
    assert statuses(client, url, users, "post") == {
        "president": 403, "admin": 403, "head": 403, "officer": 404, "other_office": 404, "other_school": 404}
    client.force_login(school.office)
    response = client.post(url)
    assert response["Location"] == _url("incident_list", organisation_id=school.org.pk) + (
        f"?term={school.term.pk}")
    with tenant_scope(school.tenant):
        assert not Incident.objects.exists()


def test_a_department_head_sees_only_their_departments_rows(client, cast):
    school = cast.school
    mine = _incident(cast, note="本部门成员")
    theirs = _incident(cast, person=cast.writer, note="宣传部成员")
    department = _incident(cast, person=None, department=cast.publicity, kind="perfunctory", note="宣传部总结")
    own_entry = _enter(cast, reason="本部门加分")
    other_entry = _enter(cast, person=cast.writer, reason="宣传部加分")
    client.force_login(school.head)
    html = client.get(_url("incident_list", organisation_id=school.org.pk)).content.decode()
    assert "本部门成员" in html and "宣传部成员" not in html and "宣传部总结" not in html
    html = client.get(_url("discretionary_list", organisation_id=school.org.pk)).content.decode()
    assert "本部门加分" in html and "宣传部加分" not in html
    rows = client.get(_url("discretionary_approvals", organisation_id=school.org.pk)).context["rows"]
    assert [row.entry.pk for row in rows] == [own_entry.pk]
    assert client.post(_url("incident_remove", incident_id=mine.pk)).status_code == 403
    for row in (theirs, department):
        assert client.post(_url("incident_remove", incident_id=row.pk)).status_code == 404
    assert client.post(_url("discretionary_remove", discretionaryentry_id=own_entry.pk)).status_code == 403
    assert client.post(_url("discretionary_remove", discretionaryentry_id=other_entry.pk)).status_code == 404
    assert client.post(_url("discretionary_decide", discretionaryentry_id=other_entry.pk),
                       {"decision": "approve"}).status_code == 404


def test_the_filters(client, cast):
    school = cast.school
    _incident(cast, note="个人事项")
    _incident(cast, person=None, department=school.dept, kind="proposal_late", note="部门事项")
    pending = _enter(cast, reason="待批加分")
    _enter(cast, kind="late_task", points=-2, reason="逾期扣分")
    client.force_login(school.office)
    url = _url("incident_list", organisation_id=school.org.pk)
    response = client.get(url, {"target": "department"})
    assert [i.note for i in response.context["page"]] == ["部门事项"]
    assert [(v, n) for v, _label, n in response.context["targets"]] == [("", 2), ("person", 1), ("department", 1)]
    url = _url("discretionary_list", organisation_id=school.org.pk)
    assert [e.pk for e in client.get(url, {"status": "pending"}).context["page"]] == [pending.pk]
    assert [e.reason for e in client.get(url, {"status": "deduction"}).context["page"]] == ["逾期扣分"]
    assert len(client.get(url, {"status": "nonsense"}).context["page"]) == 2


def test_the_members_own_page_explains_an_approved_entry(client, cast):
    school = cast.school
    entry = _enter(cast, reason="协助迎新")
    with tenant_scope(school.tenant):
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=timezone.now())
    client.force_login(school.officer)
    html = client.get(reverse("scoring:my_score")).content.decode()
    assert "酌情加减分：协助迎新" in html and "第六条 二 1" in html and "76" in html


# --- a constant number of queries ---


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more(cast, n, *, votes=False):
    """n more members, each with an incident, a pending positive entry and a deduction; with ``votes`` (the
    whole presidium approves) the president has agreed to the pending one, and another entry was approved by
    both members and then revoked."""
    school = cast.school
    with tenant_scope(school.tenant):
        vice = User.objects.get(username="alpha_vice") if votes else None
        for i in range(n):
            person = PersonFactory(tenant=school.tenant, name=f"成员{i}")
            MembershipFactory(tenant=school.tenant, person=person, organisation=school.org, department=school.dept,
                              position=school.officer_post, term=school.term, start=school.term.start)
            entries.incident_record(organisation=school.org, kind="error", on=_today(), note=f"失误{i}",
                                    user=school.office, now=timezone.now(), person=person)
            entries.discretionary_enter(organisation=school.org, kind="helping", points=5, reason=f"帮助{i}",
                                        on=_today(), user=school.office, now=timezone.now(), person=person)
            entries.discretionary_enter(organisation=school.org, kind="late_task", points=-2, reason=f"逾期{i}",
                                        on=_today(), user=school.office, now=timezone.now(), person=person)
            if votes:
                pending = DiscretionaryEntry.objects.get(person=person, points=5)
                entries.discretionary_decide(entry=pending, approve=True, user=cast.president, now=timezone.now())
                revoked = entries.discretionary_enter(organisation=school.org, kind="helping", points=6,
                                                      reason=f"再帮助{i}", on=_today(), user=school.office,
                                                      now=timezone.now(), person=person)
                for user in (cast.president, vice):
                    entries.discretionary_decide(entry=revoked, approve=True, user=user, now=timezone.now())
                entries.discretionary_revoke(entry=revoked, reason=f"撤销{i}", user=cast.president,
                                             now=timezone.now())


@pytest.mark.parametrize(("page", "by_presidium"), [("discretionary_list", False), ("discretionary_approvals", False),
                                                    ("incident_list", False), ("discretionary_approvals", True),
                                                    ("discretionary_list", True)])
def test_the_list_pages_run_a_constant_number_of_queries(client, cast, django_assert_num_queries, page,
                                                         by_presidium):
    school = cast.school
    url = _url(page, organisation_id=school.org.pk)
    if by_presidium:  # every pending entry with the president's say, and an approved then revoked one each
        with tenant_scope(school.tenant):
            _by_presidium(school)
    _more(cast, 2, votes=by_presidium)
    counts = {}
    for user in (school.office, cast.president, school.head):
        client.force_login(user)
        counts[user.username] = _count(client, url)
    _more(cast, 12, votes=by_presidium)
    for user in (school.office, cast.president, school.head):
        client.force_login(user)
        with django_assert_num_queries(counts[user.username]):
            assert client.get(url).status_code == 200
