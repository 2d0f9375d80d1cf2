"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The namespace belongs to the "alliance" module (orgs/modules.py): switched off, every URL here is a 404."""

from django.urls import path

from attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/marks/", views.meeting_marks, name="meeting_marks"),
    path("meetings/<int:meeting_id>/all-present/", views.meeting_all_present, name="meeting_all_present"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("me/", views.my_attendance, name="my_attendance"),
    path("me/leave/<int:meeting_id>/", views.leave_request, name="leave_request"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/<int:leaverequest_id>/decide/", views.leave_decide, name="leave_decide"),
    path("meetings/<int:meeting_id>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:meeting_id>/qr/code/", views.meeting_qr_code, name="meeting_qr_code"),
    path("checkin/<int:meeting_id>/<str:code>/", views.checkin, name="checkin"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/<int:organisation_id>/<str:month>.<str:fmt>", views.monthly_download, name="monthly_download"),
    # --- minutes (AT-4), plenary discipline (SC-8), activities (AT-6) ---
    # --- tasks (AT-5) ---
]
