"""Log in and out, the home page of each role, people, and the imports and exports of OR-4.

A person the user may not see is missing: ``_get_person`` fetches through ``people_visible_to``, so it is a
404 like another school's person. Political status, academic standing and discipline are loaded only for
users who hold the matching permission on that person, and never appear in URLs or titles.

Imports (tenant admin only, ``members.import_people``): the upload creates a job and redirects to its page;
the check and the commit run in Celery tasks (members.tasks), and the page polls the job's status.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from members import access, selectors, services
from members.exports import layout_file, layout_template
from members.forms import AccountInviteForm, ImportUploadForm, LoginForm, PersonFilterForm
from members.home import home_sections, role_cards
from members.imports.layouts import LAYOUTS
from members.models import ImportStatus
from members.policies import IMPORT_MAX_MB
from orgs import access as orgs_access
from orgs.calendar import local_date
from orgs.pages import attachment, paginate, pk_of
from orgs.selectors import current_term, policy_value
from orgs.uploads import upload_limit, upload_refused
from orgs.web import error_text, platform_admin_only, requires

audit = logging.getLogger("campus.audit")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = LoginView.as_view()


def login_locked_out(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the Chinese lockout page (site and admin login), status 429. It names no
    account: the typed name may be a number, and the page must not confirm which account it reached."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/lockout.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes,
    }, status=429)
logout_view = auth_views.LogoutView.as_view()


class ActivateView(auth_views.PasswordResetConfirmView):
    """An invited account sets its first password through its one-time link (then the link is spent)."""

    template_name = "registration/activate.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, gettext_lazy("密码已设置，请登录。"))
        return super().form_valid(form)


activate_view = ActivateView.as_view()


@login_required
def home(request):
    user, today = request.user, local_date(timezone.now())
    context = {"today": today, "sections": home_sections(request)}
    if request.tenant is not None:
        term = current_term(tenant=request.tenant, today=today)
        me = selectors.person_for_user(user=user).filter(pk=user.person_id).first() if user.person_id else None
        context.update({
            "term": term, "week": term.teaching_week(today) if term else None, "me": me,
            "cards": role_cards(user, selectors.user_role_assignments(user=user, on=today)),
            "my_memberships": selectors.person_memberships(person=me, current_only=True) if me else (),
        })
    return render(request, "home.html", context)


@login_required
@permission_required("members.list_person", raise_exception=True)
def person_list(request):
    form = PersonFilterForm(request.GET)
    filters = form.filters()
    people = selectors.person_list(
        user=request.user, search=filters.get("q", ""), college_id=pk_of(filters.get("college")),
        school_class_id=pk_of(filters.get("school_class")),
    )
    return render(request, "members/person_list.html", {"form": form, "page": paginate(request, people)})


@login_required
def person_detail(request, person_id):
    person = access.person_for_user(request.user, person_id)
    user = request.user
    sees_discipline = user.has_perm("members.view_discipline", person)
    account = getattr(person, "user", None) if user.has_perm("members.unlock_login") else None
    return render(request, "members/person_detail.html", {
        "person": person,
        "account": account,
        "account_locked": account is not None and selectors.account_login_locked(
            account=account, now=timezone.now()),
        "memberships": selectors.person_memberships(person=person),
        "sees_political_status": user.has_perm("members.view_political_status", person),
        "standings": selectors.person_standings(person=person) if sees_discipline else None,
        "discipline": selectors.person_discipline(person=person) if sees_discipline else None,
    })


@login_required
@require_POST
@permission_required("members.unlock_login", raise_exception=True)
def person_unlock_login(request, person_id):
    """The school's administrator lifts the login lockout of this person's account."""
    person = access.person_for_user(request.user, person_id)
    account = getattr(person, "user", None)
    if account is None:
        raise Http404()
    services.account_unlock(account=account, by=request.user, now=timezone.now())
    messages.success(request, _("已解除账号 %(username)s 的登录锁定。") % {"username": account.username})
    return redirect("members:person_detail", person_id=person.pk)


@platform_admin_only
@require_http_methods(["GET", "POST"])
def account_invite(request, tenant_id):
    tenant = orgs_access.tenant_for_platform_admin(request.user, tenant_id)
    form = AccountInviteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = services.account_invite(tenant=tenant, start=local_date(timezone.now()),
                                           site_url=request.build_absolute_uri("/"), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已创建账号 %(username)s，激活链接已发送到 %(email)s。") % {
                "username": user.username, "email": services.email_masked(user.email)})
            return redirect("members:account_invite", tenant_id=tenant.pk)
    return render(request, "members/account_invite.html", {"school": tenant, "form": form})


# --- imports and exports (OR-4): tenant admin only ---

#: The file formats of templates and exports.
FORMATS = ("xlsx", "csv")


def _layout(kind, fmt=None):
    """The layout of an import kind (a URL part, not an object): an unknown kind or format is a 404."""
    layout = LAYOUTS.get(kind)
    if layout is None or (fmt is not None and fmt not in FORMATS):
        raise Http404()
    return layout


def _in_source_language():
    """A spreadsheet is written in Chinese whatever the page's language: its headers and choice labels are what
    the import reads back (English headers are accepted, English labels are not)."""
    return translation.override(settings.LANGUAGE_CODE)


class _Counted:
    """Passes rows through and counts them (the export's audit line)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def _progress(job) -> tuple[str, bool]:
    """What a running job is doing, and whether its bar can show it. Reading the file (most of the time) counts
    its rows; opening the workbook before and writing the rows after have no measure (the bar then moves
    without a value)."""
    if not job.processed_rows:
        return _("正在读取文件……"), True
    if not job.total_rows:  # the file does not say how many rows it has: count them as they are read
        return _("已读取 %(done)s 行……") % {"done": job.processed_rows}, True
    if job.status == ImportStatus.IMPORTING and job.processed_rows >= job.total_rows:
        return _("正在写入数据库……"), True
    return _("已处理 %(done)s / %(total)s 行") % {"done": job.processed_rows, "total": job.total_rows}, False


def _import_limit_mb(request) -> int:
    """The school's import size limit, read while the upload arrives (orgs.uploads)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return IMPORT_MAX_MB.default
    return policy_value(tenant=tenant, key=IMPORT_MAX_MB.key, on=local_date(timezone.now()))


@upload_limit(_import_limit_mb)
@requires("members.import_people")
@require_http_methods(["GET", "POST"])
def import_home(request):
    tenant, today = request.tenant, local_date(timezone.now())
    limit_mb = policy_value(tenant=tenant, key=IMPORT_MAX_MB.key, on=today)
    kind = request.GET.get("kind")
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None,
        limit_mb=limit_mb, initial={"kind": kind if kind in LAYOUTS else None},
    )
    if refused := upload_refused(request):  # stopped at the limit while it arrived: nothing is kept
        form.add_error(None, refused)
    elif form.is_valid():
        try:
            job = services.import_job_create(tenant=tenant, kind=form.cleaned_data["kind"],
                                             upload=form.cleaned_data["file"], user=request.user, today=today,
                                             encoding=form.cleaned_data["encoding"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("members:import_job", importjob_id=job.pk)
    with _in_source_language():  # the headers as the files have them; English ones are accepted too
        columns = {kind: [{"header": str(c.header), "required": c.required, "aliases": ", ".join(c.aliases)}
                          for c in layout.columns] for kind, layout in LAYOUTS.items()}
    return render(request, "members/import_home.html", {
        "form": form, "kinds": [(layout, columns[kind]) for kind, layout in LAYOUTS.items()], "formats": FORMATS,
        "limit_mb": limit_mb,
        "jobs": selectors.import_job_list(tenant=tenant),
    })


@requires("members.import_people")
@require_GET
def import_template(request, kind, fmt):
    layout = _layout(kind, fmt)
    with _in_source_language():
        content, content_type = layout_template(layout, fmt)
    filename = _("%(label)s导入模板.%(format)s") % {"label": layout.label, "format": fmt}
    return attachment(content, content_type, filename, f"{kind}-template.{fmt}")


@requires("members.import_people")
@require_GET
def import_export(request, kind, fmt):
    """The school's rows of one kind in the layout of its import. Built whole before the response: a generator
    streamed after the view returns would run outside the request's tenant scope."""
    layout = _layout(kind, fmt)
    today = local_date(timezone.now()).isoformat()
    rows = _Counted(layout.export_rows(request.tenant))
    with _in_source_language():
        content, content_type = layout_file(layout, rows, fmt)
    filename = f"{layout.label}-{today}.{fmt}"
    # who exported what and how much, never the data itself
    audit.info("export kind=%s rows=%d format=%s user=%s tenant=%s", kind, rows.count, fmt, request.user.pk,
               request.tenant.pk)
    return attachment(content, content_type, filename, f"{kind}-{today}.{fmt}")


@requires("members.import_people")
@require_GET
def import_job(request, importjob_id):
    job = access.import_job_for_user(request.user, importjob_id)
    job = services.import_job_expire_if_lost(job=job, now=timezone.now())
    layout = LAYOUTS[job.kind]
    progress_text, indeterminate = _progress(job)
    encodings = [] if job.is_running or job.status == ImportStatus.DONE else selectors.import_job_encodings(job=job)
    return render(request, "members/import_job.html", {
        "job": job, "layout": layout, "progress_text": progress_text, "indeterminate": indeterminate,
        "error_total": job.counts.get("errors", len(job.errors)),
        "key_header": layout.header(layout.key_column),
        "encodings": encodings,
        "encoding_chosen": _encoding_offered(job, encodings),
    })


@requires("members.import_people")
@require_GET
@never_cache
def import_job_status(request, importjob_id):
    """The job's progress as JSON, polled by static/js/imports.js while the job runs."""
    job = access.import_job_for_user(request.user, importjob_id, progress_only=True)
    job = services.import_job_expire_if_lost(job=job, now=timezone.now())
    progress_text, indeterminate = _progress(job)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(), "processed_rows": job.processed_rows,
        "total_rows": job.total_rows, "percent": job.percent, "is_running": job.is_running,
        "progress_text": progress_text, "indeterminate": indeterminate,
    })


@requires("members.import_people")
@require_POST
def import_commit(request, importjob_id):
    job = access.import_job_for_user(request.user, importjob_id)
    try:
        services.import_job_commit(job=job, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已确认，开始写入。全部写入成功才会生效。"))
    return redirect("members:import_job", importjob_id=job.pk)


def _encoding_offered(job, encodings) -> str:
    """The encoding the form selects first: the one the file was read with, else the most plausible."""
    readable = [option["encoding"] for option in encodings if option["decodes"]]
    return job.encoding if job.encoding in readable else next(iter(readable), "")


@requires("members.import_people")
@require_POST
def import_retry(request, importjob_id):
    """Run a failed job again, or (with ``encoding``) check a CSV again read in the chosen encoding."""
    job = access.import_job_for_user(request.user, importjob_id)
    encoding = request.POST.get("encoding") if "encoding" in request.POST else None
    try:
        services.import_job_retry(job=job, user=request.user, now=timezone.now(), encoding=encoding)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已重新开始。"))
    return redirect("members:import_job", importjob_id=job.pk)
