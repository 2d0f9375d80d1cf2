"""The notification centre (issue 13): a person's own notifications, newest first, paginated; opening one (marks
it read and goes to the place of its duty); marking one or all read; the email preference (in-app only, or
in-app and email).

Every view is a logged-in school user's (``duties.view_notifications``); a notification is fetched through
``access.notification_for_user``, so someone else's, another school's and a missing one are the same 404.
Opening follows the notification's link only to a path of this site: anything else (another host, another
scheme, a relative path) is refused with a message, never followed.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from duties import access, selectors, services
from orgs.pages import id_of, paginate
from orgs.web import requires

#: Notifications per page of the centre.
PER_PAGE = 20

APP_ONLY, APP_AND_EMAIL = "app", "email"


class NotificationSettingForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("提醒方式"), widget=forms.RadioSelect,
        choices=[(APP_ONLY, gettext_lazy("仅站内通知")), (APP_AND_EMAIL, gettext_lazy("站内通知和邮件"))])


def _back_to_list(request):
    """The centre, at the page the form was posted from (a valid page number only)."""
    url = reverse("duties:notification_list")
    page = id_of(request.POST.get("page"))
    return redirect(f"{url}?page={page}" if page and page > 1 else url)


def local_path(url: str) -> bool:
    """``url`` is a path of this site ("/attendance/tasks/3/"): no scheme, no host, not "//host" nor "/\\host"."""
    return (bool(url) and url.startswith("/") and not url.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(url, allowed_hosts=None))


@requires("duties.view_notifications")
def notification_list(request):
    """The user's notifications, newest first (two queries for the page: its count and its rows)."""
    page = paginate(request, selectors.notifications_of(request.user), per_page=PER_PAGE)
    return render(request, "duties/notifications.html", {
        "page": page, "unread": selectors.unread_count(request.user),
    })


@requires("duties.view_notifications")
@require_POST
def notification_open(request, notification_id):
    """Mark the notification read and go to the place of its duty (a path of this site only)."""
    notification = access.notification_for_user(request.user, notification_id)
    services.notification_read(notification=notification, user=request.user, now=timezone.now())
    if local_path(notification.url):
        return redirect(notification.url)
    if notification.url:
        messages.error(request, _("这条通知的链接不是本站地址，未打开。"))
    return _back_to_list(request)


@requires("duties.view_notifications")
@require_POST
def notification_read(request, notification_id):
    notification = access.notification_for_user(request.user, notification_id)
    services.notification_read(notification=notification, user=request.user, now=timezone.now())
    return _back_to_list(request)


@requires("duties.view_notifications")
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(user=request.user, now=timezone.now())
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return _back_to_list(request)


@requires("duties.view_notifications")
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """In-app only, or in-app and email to the account's address (refused without one, with the reason)."""
    current = APP_AND_EMAIL if selectors.wants_email(request.user) else APP_ONLY
    form = NotificationSettingForm(request.POST if request.method == "POST" else None, initial={"channel": current})
    if form.is_valid():
        try:
            services.notification_setting_set(user=request.user,
                                              email=form.cleaned_data["channel"] == APP_AND_EMAIL)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存提醒方式。"))
            return redirect("duties:notification_settings")
    return render(request, "duties/notification_settings.html", {
        "form": form, "email": (request.user.email or "").strip(),
    })
