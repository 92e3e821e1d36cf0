"""Crisis team API routes (roster, assignments, tasks) (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import team as api

urlpatterns = [
    path(
        "incidents/<uuid:incident_id>/assignments/",
        api.AssignmentListCreateApi.as_view(),
        name="incident-assignments",
    ),
    path("assignments/<uuid:assignment_id>/end/", api.AssignmentEndApi.as_view(), name="assignment-end"),
    path("incidents/<uuid:incident_id>/tasks/", api.TaskListCreateApi.as_view(), name="incident-tasks"),
    path("tasks/<uuid:task_id>/", api.TaskDetailApi.as_view(), name="task-detail"),
    path("roster/", api.RosterApi.as_view(), name="roster"),
]
