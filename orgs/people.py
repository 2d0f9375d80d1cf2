"""The people shown on the structure pages (a class's students, a room's residents, an organisation's and a
department's members, a school's admin accounts) come from the app that holds people, ``members``, which sits
above orgs. orgs names no app above it (tests/test_architecture.py), so the dependency is turned around: this
module declares what the pages need (``Directory``), and members plugs its selectors in at start-up
(``members.apps.MembersConfig.ready`` → ``provide``). Every call keeps the user explicit: members returns only
the people that user may see."""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class Directory(Protocol):
    def person_list(self, *, user, search: str = "", college_id=None, school_class_id=None,
                    room_id=None) -> QuerySet: ...

    def organisation_members(self, *, user, organisation, current_only: bool = True) -> QuerySet: ...

    def department_members(self, *, user, department, current_only: bool = True) -> QuerySet: ...

    def school_admin_accounts(self, *, tenant) -> list: ...


_directory: Directory | None = None


def provide(directory: Directory) -> None:
    global _directory
    _directory = directory


def directory() -> Directory:
    if _directory is None:
        raise ImproperlyConfigured("No people directory: the members app provides it in its AppConfig.ready.")
    return _directory
