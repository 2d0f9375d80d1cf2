"""No sensitive name in a notification text (DESIGN.md "Data that must not leak"): the check the root conftest.py
runs after every database test, tested directly. The tests that make a leaking notification on purpose read the
check and delete their notifications in their body, so the suite's own run of the check after them finds nothing.
"""

import pytest
from django_scopes import scopes_disabled

from duties.models import Notification
from duties.sensitive import notification_leaks
from duties.tests.factories import NotificationFactory
from members import sensitive
from members.models import PoliticalStatus
from members.tests.factories import (
    AcademicStandingFactory,
    DisciplinaryRecordFactory,
    PersonFactory,
    UserFactory,
)
from orgs.tests.factories import TenantFactory
from scoring.tests.factories import SanctionFactory

pytestmark = pytest.mark.django_db


def _leaks_then_cleared() -> list[str]:
    """The names the check finds; then every notification is deleted (these tests leak on purpose)."""
    found = [leak.name for leak in notification_leaks()]
    with scopes_disabled():
        Notification.objects.all().delete()
    return found


def _sanctioned(name):
    person = PersonFactory(name=name)
    return SanctionFactory(tenant=person.tenant, person=person)


def _notify(person, text):
    user = UserFactory(tenant=person.tenant)
    return NotificationFactory(tenant=person.tenant, user=user, body=f"{text}，请在 11月28日 09:00 前完成。")


def test_a_sanctioned_students_name_in_a_notification_fails_the_check():
    sanction = _sanctioned("欧阳明月")
    _notify(sanction.person, "欧阳明月的处分等待决定")
    assert _leaks_then_cleared() == ["欧阳明月"]


def test_the_title_is_read_too():
    sanction = _sanctioned("司马青")
    NotificationFactory(tenant=sanction.tenant, user=UserFactory(tenant=sanction.tenant), title="已逾期：司马青")
    assert _leaks_then_cleared() == ["司马青"]


def test_the_text_a_duty_should_write_passes():
    sanction = _sanctioned("欧阳明月")
    _notify(sanction.person, "1 项处分等待决定")
    assert notification_leaks() == []


@pytest.mark.parametrize("record", ["discipline", "failed course", "party development"])
def test_members_sensitive_records_are_registered(record):
    person = PersonFactory(name="诸葛云")
    if record == "discipline":
        DisciplinaryRecordFactory(tenant=person.tenant, person=person)
    elif record == "failed course":
        AcademicStandingFactory(tenant=person.tenant, person=person, failed_courses=2)
    else:
        person.political_status = PoliticalStatus.DEVELOPMENT
        person.save(update_fields=["political_status"])
    _notify(person, "诸葛云")
    assert _leaks_then_cleared() == ["诸葛云"]


def test_a_person_without_a_sensitive_record_may_be_named():
    person = PersonFactory(name="上官雪", political_status=PoliticalStatus.LEAGUE)
    AcademicStandingFactory(tenant=person.tenant, person=person, failed_courses=0)
    _notify(person, "上官雪")
    assert notification_leaks() == []


def test_the_same_name_in_another_school_is_not_this_schools_record():
    _sanctioned("令狐冲")
    other = PersonFactory(tenant=TenantFactory(), name="令狐冲")
    _notify(other, "令狐冲")
    assert notification_leaks() == []


def test_a_numbered_name_does_not_match_inside_a_longer_number():
    sanction = _sanctioned("学生1")
    _notify(sanction.person, "学生12")
    assert notification_leaks() == []
    _notify(sanction.person, "学生1，")
    assert _leaks_then_cleared() == ["学生1"]


def test_an_app_extends_the_registry(monkeypatch):
    """A later app's sensitive.py registers its people (here a stand-in for a crisis case's student)."""
    monkeypatch.setattr(sensitive, "SOURCES", list(sensitive.SOURCES))
    person = PersonFactory(name="慕容复")
    _notify(person, "慕容复")
    assert notification_leaks() == []
    sensitive.register_sensitive_people(lambda tenant_ids: type(person).objects.filter(pk=person.pk))
    assert _leaks_then_cleared() == ["慕容复"]


def test_scorings_sanctions_are_found_by_discovery():
    from scoring import sensitive as scoring_sensitive

    sensitive.discover()
    assert scoring_sensitive._sanctioned in sensitive.SOURCES


def test_without_a_notification_the_check_is_one_query(django_assert_num_queries):
    SanctionFactory()
    with django_assert_num_queries(1):
        assert notification_leaks() == []
