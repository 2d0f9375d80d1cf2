"""Score pages by persona: a member sees their own ledger, explained; the office the organisation; a department
head their department; another organisation's office and another school get 404."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from scoring import selectors, services
from scoring.models import TermSync
from scoring.tests.factories import IncidentFactory


@pytest.fixture
def scored(school):
    """A plenary an hour ago: the officer 12 minutes late (an absence), the head 5 minutes late; synced."""
    now = timezone.now()
    with tenant_scope(school.tenant):
        start = now - dt.timedelta(hours=1)
        meeting = attendance.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="十一月全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(minutes=30), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())
        attendance.attendance_mark(meeting=meeting, user=school.office, now=now, marks=[
            {"person": school.officer.person_id, "status": "late", "late_minutes": 12},
            {"person": school.head.person_id, "status": "late", "late_minutes": 5}])
        services.ledger_sync(organisation=school.org, term=school.term, now=now)
    return school


def test_a_member_reads_their_own_score_with_every_entry_explained(client, scored):
    client.force_login(scored.officer)
    html = client.get(reverse("scoring:my_score")).content.decode()
    assert "65" in html  # 70 − 5
    assert "十一月全体会议：旷会（迟到 12 分钟）" in html
    assert "全体会议无故缺席" in html and "第五条 1(8)" in html
    assert "SC-2" not in html  # the clause of the source document, never our requirement id
    assert scored.head.person.name not in html


def test_a_member_without_a_post_has_no_score(client, scored):
    client.force_login(scored.counsellor)
    assert "没有积分" in client.get(reverse("scoring:my_score")).content.decode()


def test_the_organisation_table_by_persona(client, scored, other_office):
    url = reverse("scoring:organisation_scores", kwargs={"organisation_id": scored.org.pk})
    client.force_login(scored.office)
    table = client.get(url).context["table"]
    assert [(r.person.pk, r.total) for r in table.rows] == [
        (scored.student_x.pk, 70), (scored.head.person_id, 68), (scored.officer.person_id, 65)]
    client.force_login(scored.officer)
    assert client.get(url).status_code == 403  # an officer sees only their own score
    assert client.get(reverse("scoring:organisation_list")).status_code == 403
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    client.force_login(scored.other_admin)
    assert client.get(url).status_code == 404
    client.force_login(scored.admin)
    assert client.get(url).status_code == 200


def test_a_department_head_sees_only_their_department(client, scored):
    with tenant_scope(scored.tenant):
        elsewhere = DepartmentFactory(tenant=scored.tenant, organisation=scored.org, name="宣传部")
        outsider = PersonFactory(tenant=scored.tenant, name="王外部")
        MembershipFactory(tenant=scored.tenant, person=outsider, organisation=scored.org, department=elsewhere,
                          position=scored.officer_post, term=scored.term, start=scored.term.start)
    client.force_login(scored.head)
    url = reverse("scoring:organisation_scores", kwargs={"organisation_id": scored.org.pk})
    names = [r.person.name for r in client.get(url).context["table"].rows]
    assert "王外部" not in names and scored.officer.person.name in names
    person = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk, "person_id": outsider.pk})
    assert client.get(person).status_code == 404
    own = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk,
                                                  "person_id": scored.officer.person_id})
    assert "第五条 1(8)" in client.get(own).content.decode()


def test_the_person_page_by_persona(client, scored, other_office):
    url = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk,
                                                  "person_id": scored.officer.person_id})
    for user, status in ((scored.office, 200), (scored.officer, 403), (other_office, 404),
                         (scored.other_admin, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(scored.office)
    stranger = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk,
                                                       "person_id": scored.counsellor.person_id})
    assert client.get(stranger).status_code == 404  # not a member of the organisation
    assert client.get(url, {"term": 999999}).status_code == 404


def test_the_table_runs_a_constant_number_of_queries(client, scored):
    url = reverse("scoring:organisation_scores", kwargs={"organisation_id": scored.org.pk})
    client.force_login(scored.office)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    with tenant_scope(scored.tenant):
        for i in range(15):
            MembershipFactory(tenant=scored.tenant, person=PersonFactory(tenant=scored.tenant, name=f"成员{i}"),
                              organisation=scored.org, department=scored.dept, position=scored.officer_post,
                              term=scored.term, start=scored.term.start)
    assert count() == few


def test_the_table_rows_link_each_member_escape_names_and_show_the_level_reached(client, scored):
    with tenant_scope(scored.tenant):
        sly = PersonFactory(tenant=scored.tenant, name="<b>李</b>")
        MembershipFactory(tenant=scored.tenant, person=sly, organisation=scored.org, department=scored.dept,
                          position=scored.officer_post, term=scored.term, start=scored.term.start)
        IncidentFactory(tenant=scored.tenant, organisation=scored.org, person=sly, kind="rectification",
                        on=scored.term.start, recorded_by=scored.office)
        services.ledger_sync(organisation=scored.org, term=scored.term, now=timezone.now())
    client.force_login(scored.office)
    html = client.get(reverse("scoring:organisation_scores", kwargs={"organisation_id": scored.org.pk}),
                      {"term": scored.term.pk}).content.decode()
    assert "<b>李</b>" not in html and "&lt;b&gt;李&lt;/b&gt;" in html
    link = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk, "person_id": sly.pk})
    assert f'href="{link}?term={scored.term.pk}"' in html
    assert client.get(f"{link}?term={scored.term.pk}").status_code == 200
    assert '<span class="badge level-warning">达警告</span>' in html  # one rectification incident: a warning
    # the officer: 12 minutes late at a plenary is an absence (0 lates / 1 absence), below any level
    assert '<span class="num">0 / 1</span>' in html and 'id="updating"' not in html


def test_the_pages_say_while_a_change_is_being_counted(client, scored):
    with tenant_scope(scored.tenant):
        TermSync.objects.filter(organisation=scored.org, term=scored.term).update(requested=F("requested") + 1)
    client.force_login(scored.office)
    table = reverse("scoring:organisation_scores", kwargs={"organisation_id": scored.org.pk})
    person = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk,
                                                     "person_id": scored.officer.person_id})
    for url in (table, person):
        assert "最近的修改正在计入积分" in client.get(url).content.decode()


def test_the_menu_links_the_score_pages(client, scored):
    client.force_login(scored.office)
    html = client.get("/").content.decode()
    assert reverse("scoring:organisation_list") in html
    client.force_login(scored.officer)
    html = client.get("/").content.decode()
    assert reverse("scoring:my_score") in html and reverse("scoring:organisation_list") not in html


@pytest.mark.parametrize("page", ["my_score", "person_score"])
def test_a_members_page_runs_a_constant_number_of_queries_whatever_the_others_marks(
        client, scored, django_assert_num_queries, page):
    """A member's ladder and total are read as the ledger sync stored them (MemberScore): more marks, minutes and
    incidents of other members, and more of their own, cost the page no query."""
    officer = scored.officer.person
    if page == "my_score":
        client.force_login(scored.officer)
        url = reverse("scoring:my_score")
    else:
        client.force_login(scored.office)
        url = reverse("scoring:person_score", kwargs={"organisation_id": scored.org.pk, "person_id": officer.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    now = timezone.now()
    with tenant_scope(scored.tenant):
        others = [PersonFactory(tenant=scored.tenant, name=f"成员{i}") for i in range(8)]
        for person in others:
            MembershipFactory(tenant=scored.tenant, person=person, organisation=scored.org, department=scored.dept,
                              position=scored.officer_post, term=scored.term, start=scored.term.start)
        for day in range(3):
            start = now - dt.timedelta(days=day + 1)
            meeting = attendance.meeting_create(
                organisation=scored.org, kind=MeetingKind.DEPARTMENT, title=f"例会{day}", stars=2, starts_at=start,
                ends_at=start + dt.timedelta(hours=1), audience=Audience.ORGANISATION, department=scored.dept,
                minutes_taker=others[day], user=scored.office, now=timezone.now())
            statuses = zip([officer, *others], ["late", "absent", "late", "leave"] * 3, strict=False)
            attendance.attendance_mark(meeting=meeting, user=scored.office, now=now, marks=[
                {"person": p.pk, "status": status, "late_minutes": 3 if status == "late" else None}
                for p, status in statuses])
            attendance.minutes_record(meeting=meeting, taken=False, user=scored.office, now=now)
        IncidentFactory(tenant=scored.tenant, organisation=scored.org, person=others[0], on=scored.term.start,
                        recorded_by=scored.office)
        IncidentFactory(tenant=scored.tenant, organisation=scored.org, person=officer, on=scored.term.start,
                        recorded_by=scored.office)
        services.ledger_sync_pending(tenant=scored.tenant, now=now)  # incidents are facts too
        services.ledger_sync(organisation=scored.org, term=scored.term, now=now)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    with tenant_scope(scored.tenant):
        row = selectors.member_ladder(organisation=scored.org, term=scored.term, person=officer)
    assert (row.counts.lates, row.counts.absences, row.counts.incidents) == (3, 1, {"rectification": 1})


def test_a_members_ladder_is_read_in_two_queries(scored, django_assert_num_queries):
    with tenant_scope(scored.tenant), django_assert_num_queries(2):  # the stored counts and the rulebook
        row = selectors.member_ladder(organisation=scored.org, term=scored.term, person=scored.officer.person)
    assert (row.counts.lates, row.counts.absences) == (0, 1)  # 12 minutes late at a plenary: an absence


def test_a_member_with_nothing_counted_has_an_empty_ladder_not_none(school):
    """Nothing synced yet: the selector still answers a ladder — all zero, no level, false in a template."""
    with tenant_scope(school.tenant):
        row = selectors.member_ladder(organisation=school.org, term=school.term, person=school.officer.person)
    assert not row
    assert (row.counts.lates, row.counts.absences, row.level, row.near) == (0, 0, None, [])
