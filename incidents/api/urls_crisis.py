"""Crisis-work API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import crisis as api

urlpatterns = [
    path("incidents/", api.IncidentListCreateApi.as_view(), name="incident-list"),
    path("incidents/from-alert/", api.IncidentFromAlertApi.as_view(), name="incident-from-alert"),
    path("incidents/<uuid:incident_id>/", api.IncidentDetailApi.as_view(), name="incident-detail"),
    path(
        "incidents/<uuid:incident_id>/transition/",
        api.IncidentTransitionApi.as_view(),
        name="incident-transition",
    ),
    path(
        "incidents/<uuid:incident_id>/mentions/",
        api.IncidentMentionsLinkApi.as_view(),
        name="incident-mentions",
    ),
    path(
        "incidents/<uuid:incident_id>/mention-candidates/",
        api.IncidentMentionCandidatesApi.as_view(),
        name="incident-mention-candidates",
    ),
    path(
        "incidents/<uuid:incident_id>/alerts/", api.IncidentAlertAttachApi.as_view(), name="incident-alerts"
    ),
    path("incidents/<uuid:incident_id>/merge/", api.IncidentMergeApi.as_view(), name="incident-merge"),
    path("incidents/<uuid:incident_id>/timeline/", api.TimelineApi.as_view(), name="incident-timeline"),
    path(
        "incidents/<uuid:incident_id>/timeline/<uuid:entry_id>/pin/",
        api.TimelinePinApi.as_view(),
        name="incident-timeline-pin",
    ),
    path(
        "incidents/<uuid:incident_id>/assignments/",
        api.AssignmentListCreateApi.as_view(),
        name="incident-assignments",
    ),
    path("assignments/<uuid:assignment_id>/end/", api.AssignmentEndApi.as_view(), name="assignment-end"),
    path("incidents/<uuid:incident_id>/tasks/", api.TaskListCreateApi.as_view(), name="incident-tasks"),
    path("tasks/<uuid:task_id>/", api.TaskDetailApi.as_view(), name="task-detail"),
    path(
        "incidents/<uuid:incident_id>/status-updates/",
        api.StatusUpdateListCreateApi.as_view(),
        name="incident-status-updates",
    ),
    path(
        "status-updates/<uuid:status_update_id>/approve/",
        api.StatusUpdateApproveApi.as_view(),
        name="status-update-approve",
    ),
    path(
        "status-updates/<uuid:status_update_id>/reject/",
        api.StatusUpdateRejectApi.as_view(),
        name="status-update-reject",
    ),
    path("roster/", api.RosterApi.as_view(), name="roster"),
    path("responses/", api.ResponseListCreateApi.as_view(), name="response-list"),
    path("responses/<uuid:response_id>/", api.ResponseDetailApi.as_view(), name="response-detail"),
    path("responses/<uuid:response_id>/submit/", api.ResponseSubmitApi.as_view(), name="response-submit"),
    path("responses/<uuid:response_id>/approve/", api.ResponseApproveApi.as_view(), name="response-approve"),
    path("responses/<uuid:response_id>/reject/", api.ResponseRejectApi.as_view(), name="response-reject"),
    path(
        "responses/<uuid:response_id>/withdraw/", api.ResponseWithdrawApi.as_view(), name="response-withdraw"
    ),
    path(
        "responses/<uuid:response_id>/confirm-sent/",
        api.ResponseConfirmSentApi.as_view(),
        name="response-confirm-sent",
    ),
    path("response-templates/", api.ResponseTemplateListCreateApi.as_view(), name="response-templates"),
    path(
        "response-templates/<uuid:template_id>/",
        api.ResponseTemplateDetailApi.as_view(),
        name="response-template-detail",
    ),
    path("moderation/", api.ModerationListCreateApi.as_view(), name="moderation-log"),
    path(
        "moderation/<uuid:moderation_id>/confirm/",
        api.ModerationConfirmApi.as_view(),
        name="moderation-confirm",
    ),
    path("guidelines/", api.GuidelinesApi.as_view(), name="guidelines"),
]
