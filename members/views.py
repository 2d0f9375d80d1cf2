"""Log in and out, the home page of each role, and people (OR-4).

A person the user may not see is missing: ``_get_person`` fetches through ``people_visible_to``, so it is a
404 like another school's person. Political status, academic standing and discipline are loaded only for
users who hold the matching permission on that person, and never appear in URLs or titles.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from members import selectors, services
from members.forms import AccountInviteForm, LoginForm, PersonFilterForm
from members.home import role_cards
from orgs.calendar import local_date
from orgs.models import Tenant
from orgs.pages import paginate
from orgs.selectors import current_term
from orgs.tenancy import get_object_or_404
from orgs.views import platform_admin_only


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = LoginView.as_view()
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


def _get_person(request, person_id):
    return get_object_or_404(selectors.person_for_user(user=request.user), pk=person_id)


def _pk(obj):
    return obj.pk if obj is not None else None


@login_required
def home(request):
    user, today = request.user, local_date(timezone.now())
    context = {"today": today}
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
        user=request.user, search=filters.get("q", ""), college_id=_pk(filters.get("college")),
        school_class_id=_pk(filters.get("school_class")),
    )
    return render(request, "members/person_list.html", {"form": form, "page": paginate(request, people)})


@login_required
def person_detail(request, person_id):
    person = _get_person(request, person_id)
    user = request.user
    sees_discipline = user.has_perm("members.view_discipline", person)
    return render(request, "members/person_detail.html", {
        "person": person,
        "memberships": selectors.person_memberships(person=person),
        "sees_political_status": user.has_perm("members.view_political_status", person),
        "standings": selectors.person_standings(person=person) if sees_discipline else None,
        "discipline": selectors.person_discipline(person=person) if sees_discipline else None,
    })


@platform_admin_only
@require_http_methods(["GET", "POST"])
def account_invite(request, tenant_id):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    form = AccountInviteForm(request.POST if request.method == "POST" else None)
    link = None
    if form.is_valid():
        try:
            user = services.account_invite(tenant=tenant, start=local_date(timezone.now()), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            link = request.build_absolute_uri(selectors.account_activation_path(user))
            messages.success(request, _("已创建账号 %(username)s。请把下面的激活链接交给本人。") % {
                "username": user.username})
            form = AccountInviteForm()
    return render(request, "members/account_invite.html", {"school": tenant, "form": form, "link": link})
