"""The sanction workflow's order (SC-11): the office reviews a proposal and submits it to the president, the
president confirms or dismisses what was submitted, the office files a confirmed one. A step out of order is
refused by the service with a Chinese message, changes nothing, and the page offers only the steps allowed."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from scoring import services
from scoring.models import Sanction, SanctionStatus
from scoring.tests.sanction_world import _url

pytestmark = pytest.mark.django_db


def _status(s):
    with tenant_scope(s.tenant):
        return Sanction.objects.get(pk=s.sanction.pk).status


@pytest.mark.parametrize(("status", "office", "president", "acts"), [
    ("proposed", True, False, {"submit", "dismiss"}),
    ("proposed", False, True, set()),
    ("proposed", True, True, {"submit", "dismiss"}),
    ("submitted", True, False, set()),
    ("submitted", False, True, {"confirm", "dismiss"}),
    ("confirmed", True, False, {"file"}),
    ("confirmed", False, True, {"revoke"}),
    ("filed", True, False, set()),
    ("filed", False, True, {"revoke"}),
    ("dismissed", True, True, set()),
    ("revoked", True, True, set()),
])
def test_the_state_and_the_role_decide_the_allowed_acts(status, office, president, acts):
    assert Sanction(status=status).allowed_acts(office=office, president=president) == acts


def test_the_president_cannot_confirm_or_dismiss_what_the_office_never_submitted(laddered):
    s, now = laddered, timezone.now()
    with tenant_scope(s.tenant):
        with pytest.raises(ValidationError, match="还没有经办公室审核提交，总部长不能确认"):
            services.sanction_decide(sanction=s.sanction, confirm=True, reason="属实", user=s.president, now=now)
        with pytest.raises(ValidationError, match="待审核的处分由办公室审核"):
            services.sanction_decide(sanction=s.sanction, confirm=False, reason="不属实", user=s.president, now=now)
        with pytest.raises(ValidationError, match="只有本组织的办公室可以审核并提交处分"):
            services.sanction_submit(sanction=s.sanction, user=s.president, now=now)
    assert _status(s) == SanctionStatus.PROPOSED


def test_only_the_office_files_and_only_a_confirmed_sanction(laddered):
    s, now = laddered, timezone.now()
    with tenant_scope(s.tenant):
        with pytest.raises(ValidationError, match="只有已确认的处分可以备案"):
            services.sanction_file(sanction=s.sanction, number="1号", on=local_date(now), user=s.office, now=now)
        services.sanction_submit(sanction=s.sanction, user=s.office, now=now)
        services.sanction_decide(sanction=s.sanction, confirm=True, reason="属实", user=s.president, now=now)
        with pytest.raises(ValidationError, match="只有本组织的办公室可以备案处分"):
            services.sanction_file(sanction=s.sanction, number="1号", on=local_date(now), user=s.president,
                                   now=now)
    assert _status(s) == SanctionStatus.CONFIRMED


def test_the_forbidden_confirm_by_post_says_why_and_changes_nothing(client, laddered):
    s = laddered
    client.force_login(s.president)
    response = client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "属实"}, follow=True)
    assert response.status_code == 200
    assert "这项处分还没有经办公室审核提交，总部长不能确认。" in response.content.decode()
    assert _status(s) == SanctionStatus.PROPOSED


def test_the_page_offers_only_the_steps_the_state_and_role_allow(client, laddered):
    s = laddered
    client.force_login(s.president)
    html = client.get(_url(s)).content.decode()
    assert "确认处分" not in html and "sanction_decide" not in html and "/decide/" not in html
    assert "等待办公室审核提交" in html
    client.force_login(s.office)
    html = client.get(_url(s)).content.decode()
    assert "审核无误，提交总部长" in html and "驳回" in html and "确认处分" not in html
    client.post(_url(s, "sanction_submit"))
    html = client.get(_url(s)).content.decode()
    assert "/decide/" not in html and "已提交，等待总部长决定" in html
    client.force_login(s.president)
    html = client.get(_url(s)).content.decode()
    assert "确认处分" in html and "/decide/" in html and "审核无误，提交总部长" not in html
    client.post(_url(s, "sanction_decide"), {"decision": "confirm", "reason": "属实"})
    html = client.get(_url(s)).content.decode()
    assert "撤销处分" in html and "/file/" not in html
    client.force_login(s.office)
    html = client.get(_url(s)).content.decode()
    assert "/file/" in html and "撤销处分" not in html
