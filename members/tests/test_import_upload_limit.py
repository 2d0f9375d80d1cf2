"""An import file past the school's limit is stopped while it arrives (orgs/uploads.py): of a 300 MB body the
server reads little more than the limit, keeps no job and says why on the upload form."""

import datetime as dt

from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import ImportJob
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.models import PolicyValue
from orgs.tests.uploads import multipart_body, stream_post
from orgs.uploads import MB


def test_a_300_mb_import_is_stopped_at_the_limit_and_no_job_is_kept(client, school):
    with scopes_disabled():
        PolicyValue.objects.create(tenant=school.tenant, key="members.import_max_mb", value=1,
                                   effective_from=dt.date(2020, 1, 1))
    client.force_login(school.admin)
    body = multipart_body({"kind": "students"}, "file", "名册.csv", 300 * MB)
    response = stream_post(client, reverse("members:import_home"), body)
    assert response.status_code == 200 and "文件“名册.csv”超过 1 MB 的上限。" in response.content.decode()
    assert body.position < 2 * MB, f"read {body.position / MB:.1f} MB of a {body.length / MB:.0f} MB body"
    with scopes_disabled():
        assert not ImportJob.objects.filter(tenant=school.tenant).exists()
