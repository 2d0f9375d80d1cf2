"""Sanction pages by persona: the office reviews and files, the president decides, the member sees the decided
ones; another organisation's office and another school get 404; an officer 403."""


from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from scoring import services
from scoring.models import SanctionStatus
from scoring.tests.factories import SanctionFactory
from scoring.tests.sanction_world import _lates, _url


def test_the_list_by_persona(client, laddered):
    s = laddered
    for user, status in ((s.office, 200), (s.president, 200), (s.admin, 200), (s.head, 200), (s.officer, 403),
                         (s.other_office, 404), (s.other_admin, 404)):
        client.force_login(user)
        assert client.get(_url(s)).status_code == status, user.username
    client.force_login(s.office)
    html = client.get(_url(s)).content.decode()
    assert "迟到 3 次（3 次即达到）" in html and "审核无误，提交总部长" in html and "确认处分" not in html


def test_office_submits_president_confirms_office_files(client, laddered):
    s = laddered
    client.force_login(s.office)
    client.post(_url(s, "sanction_submit"))
    html = client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "属实"}, follow=True)
    assert "只有本组织的总部长可以确认处分。" in html.content.decode()
    client.force_login(s.president)
    client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": ""})
    with tenant_scope(s.tenant):
        s.sanction.refresh_from_db()
        assert s.sanction.status == SanctionStatus.SUBMITTED  # a reason is required: nothing changed
    client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "三次迟到属实"})
    again = client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "再确认"}, follow=True)
    assert "这项处分已经确认过了。" in again.content.decode()
    client.force_login(s.office)
    client.post(_url(s, "sanction_file"), {"number": "联盟〔2026〕3号", "on": timezone.localdate().isoformat()})
    with tenant_scope(s.tenant):
        s.sanction.refresh_from_db()
        assert (s.sanction.status, s.sanction.filed_number) == (SanctionStatus.FILED, "联盟〔2026〕3号")


def test_other_people_cannot_act(client, laddered):
    s = laddered
    for user, status in ((s.officer, 403), (s.head, 403), (s.other_office, 404), (s.other_admin, 404)):
        client.force_login(user)
        assert client.post(_url(s, "sanction_submit")).status_code == status, user.username
    with tenant_scope(s.tenant):
        s.sanction.refresh_from_db()
        assert s.sanction.status == SanctionStatus.PROPOSED


def test_the_member_sees_a_confirmed_sanction_and_that_its_basis_was_withdrawn(client, laddered):
    s = laddered
    client.force_login(s.officer)
    assert "警告" not in client.get(reverse("scoring:my_score")).content.decode()  # a proposal is the office's
    client.force_login(s.office)
    client.post(_url(s, "sanction_submit"))
    client.force_login(s.president)
    client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "属实"})
    with tenant_scope(s.tenant):
        attendance.attendance_mark(meeting=s.meetings[0], marks=[{"person": s.officer.person_id,
                                                                  "status": "present"}], user=s.office,
                                   now=timezone.now())
        services.ledger_sync_pending(tenant=s.tenant, now=timezone.now())
    client.force_login(s.officer)
    html = client.get(reverse("scoring:my_score")).content.decode()
    assert "警告" in html and "依据已撤回" in html and "处分仍然有效" in html


def test_the_scores_page_shows_who_is_one_step_away(client, school):
    with tenant_scope(school.tenant):
        person = PersonFactory(tenant=school.tenant, name="差一步")
        MembershipFactory(tenant=school.tenant, person=person, organisation=school.org, department=school.dept,
                          position=school.officer_post, term=school.term, start=school.term.start)
    _lates(school, person, 2)
    client.force_login(school.office)
    html = client.get(reverse("scoring:organisation_scores", kwargs={"organisation_id": school.org.pk})).content
    assert "距下一级处分一步之遥" in html.decode() and "迟到 2 次（3 次即达到）" in html.decode()


def test_the_list_runs_a_constant_number_of_queries(client, laddered):
    s = laddered
    client.force_login(s.office)

    def count():
        client.get(_url(s))
        with CaptureQueriesContext(connection) as queries:
            client.get(_url(s))
        return len(queries)

    few = count()
    with tenant_scope(s.tenant):
        for _ in range(6):
            SanctionFactory(tenant=s.tenant, organisation=s.org, term=s.term,
                            person=PersonFactory(tenant=s.tenant), status="dismissed")
    assert count() == few


def test_the_member_page_explains_the_late_conversion_with_the_rulebooks_numbers(client, laddered):
    client.force_login(laddered.officer)
    html = client.get(reverse("scoring:my_score")).content.decode()
    assert "迟到折算旷会 1 次（干部每 2 次、干事每 3 次迟到计 1 次旷会，不另扣分）" in html
