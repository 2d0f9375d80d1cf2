"""URL kwargs are named ``<model._meta.model_name>_id``: tests/test_tenant_isolation.py fills them by name.
The namespace belongs to the "alliance" module (declared in attendance/registration.py): switched off, every URL here
is a 404."""

from django.urls import path

from attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/marks/", views.meeting_marks, name="meeting_marks"),
    path("meetings/<int:meeting_id>/people/<int:person_id>/changes/", views.meeting_row_changes,
         name="meeting_row_changes"),
    path("meetings/<int:meeting_id>/all-present/", views.meeting_all_present, name="meeting_all_present"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/signin-sheet.pdf", views.meeting_sheet, {"filled": False},
         name="meeting_sheet_blank"),
    path("meetings/<int:meeting_id>/attendance-sheet.pdf", views.meeting_sheet, {"filled": True},
         name="meeting_sheet_filled"),
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
    path("meetings/<int:meeting_id>/minutes/", views.minutes_record, name="minutes_record"),
    path("meetings/<int:meeting_id>/discipline/", views.plenary_discipline, name="plenary_discipline"),
    path("meetings/<int:meeting_id>/discipline/order/", views.plenary_order, name="plenary_order"),
    path("meetings/<int:meeting_id>/discipline/disruptions/add/", views.plenary_disruption_add,
         name="plenary_disruption_add"),
    path("meetings/<int:meeting_id>/discipline/disruptions/remove/", views.plenary_disruption_remove,
         name="plenary_disruption_remove"),
    path("meetings/<int:meeting_id>/activity/", views.activity_record, name="activity_record"),
    path("meetings/<int:meeting_id>/activity/coordination/", views.activity_coordination,
         name="activity_coordination"),
    path("meetings/<int:meeting_id>/activity/performance/", views.activity_performance,
         name="activity_performance"),
    path("meetings/<int:meeting_id>/activity/participants/add/", views.activity_participant_add,
         name="activity_participant_add"),
    path("meetings/<int:meeting_id>/activity/proposals/add/", views.activity_proposal_add,
         name="activity_proposal_add"),
    path("meetings/<int:meeting_id>/activity/proposals/<int:activityproposal_id>/", views.activity_proposal_update,
         name="activity_proposal_update"),
    path("meetings/<int:meeting_id>/activity/proposals/<int:activityproposal_id>/remove/",
         views.activity_proposal_remove, name="activity_proposal_remove"),
    # --- tasks (AT-5) ---
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/assignments/<int:taskassignment_id>/grade/", views.task_grade, name="task_grade"),
    path("tasks/files/<int:taskattachment_id>/", views.task_attachment, name="task_attachment"),
    path("me/tasks/<int:taskassignment_id>/acknowledge/", views.task_acknowledge, name="task_acknowledge"),
    path("me/tasks/<int:taskassignment_id>/submit/", views.task_submit, name="task_submit"),
]
