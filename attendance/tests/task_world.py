"""Tasks for the task tests: one assigned through the service, an assignee's assignment, and files of the
right kind (the service checks content against extension), with the school's attachment limit."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance import services
from attendance.models import Audience, TaskAssignment
from orgs.models import PolicyValue
from orgs.tenancy import tenant_scope

NOW = timezone.now().replace(microsecond=0)
DEADLINE = NOW + dt.timedelta(days=2)


def make_task(school, *, org=None, now=NOW, deadline=None, audience=Audience.ORGANISATION, **extra):
    """A task assigned by ``school.office`` through the service (the fixture school's whole organisation)."""
    with tenant_scope(school.tenant):
        return services.task_create(
            organisation=org or school.org, title=extra.pop("title", "整理十一月会议记录"), audience=audience,
            deadline=deadline or now + dt.timedelta(days=2), user=school.office, now=now, **extra,
        )


def assignment_of(school, task, user_or_person):
    person_id = getattr(user_or_person, "person_id", None) or user_or_person.pk
    with tenant_scope(school.tenant):
        return TaskAssignment.objects.select_related("task").get(task=task, person_id=person_id)


def sample(name: str, text: bytes = b"task report") -> bytes:
    """Bytes a file called ``name`` may hold: the service checks that a file's content matches its extension."""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension in ("docx", "xlsx", "pptx", "zip"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", text)
        return buffer.getvalue()
    if extension == "pdf":
        return b"%PDF-1.4\n" + text
    return text


def upload(name="总结.docx", content=None):
    return SimpleUploadedFile(name, sample(name) if content is None else content,
                              content_type="application/octet-stream")


def set_max_mb(school, mb):
    """The school's attachment limit, in force since long ago (so on any ``now`` of these tests)."""
    with tenant_scope(school.tenant):
        PolicyValue.objects.create(tenant=school.tenant, key="attendance.task_attachment_max_mb", value=mb,
                                   effective_from=dt.date(2020, 1, 1))
