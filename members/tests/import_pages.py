"""The import pages' helpers: a roster of the fixture school's students, a file posted as the page's form does
(the check task run inline), the job's URLs, and what the school holds afterwards."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from members.exports import write_xlsx
from members.models import ImportJob, Person

HEADERS = ["学号", "姓名", "性别", "学院", "专业", "班级", "入学年份", "寝室", "政治面貌"]


def student(school, number="2026990001", name="王小明", gender="男", klass=None, room="", status="共青团员"):
    klass = school.class_a if klass is None else klass
    return (number, name, gender, klass.college.name, klass.major.name, klass.name, klass.enrolment_year, room,
            status)


def roster(rows, headers=HEADERS) -> bytes:
    return write_xlsx(headers, rows, title="学生")


def job_url(name, job_or_id):
    return reverse(f"members:{name}", kwargs={"importjob_id": getattr(job_or_id, "pk", job_or_id)})


def upload(client, eager, content, name="名册.xlsx", kind="students"):
    """Post a file as the page's form does; the check task runs. Returns the response (not followed)."""
    with eager():
        return client.post(reverse("members:import_home"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def people_count(tenant):
    with scopes_disabled():
        return Person.objects.filter(tenant=tenant).count()


def the_job(tenant):
    with scopes_disabled():
        return ImportJob.objects.filter(tenant=tenant).latest("created_at")
