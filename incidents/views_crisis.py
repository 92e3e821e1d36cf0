"""The client's view of incidents on the brand host: the list (no drills) and one incident with
its pinned timeline and moderation log. The client's approver also decides there what waits for
them (responses and status updates sent for their approval), with a comment, through the same
services as the API; everyone else sees the same pages without the controls."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from incidents import selectors_crisis as selectors
from incidents import selectors_reviews as review_selectors
from incidents.models import Incident
from incidents.permissions import incident_can
from incidents.services import responses as response_services
from incidents.services import reviews as review_services
from incidents.services import status_updates as status_update_services
from incidents.services.responses import COMMENT_MAX_LENGTH
from tenants.errors import DomainError
from tenants.roles import request_can


class DecisionForm(forms.Form):
    """The approver's decision on one item: approve (comment optional) or send back (say why)."""

    kind = forms.ChoiceField(choices=[("response", _("response")), ("status_update", _("status update"))])
    item_id = forms.UUIDField()
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Send back"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX_LENGTH)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return data


class SignOffForm(forms.Form):
    """The client approver's decision on a review the team completed: sign off or send back (say why)."""

    decision = forms.ChoiceField(choices=[("approve", _("Sign off")), ("reject", _("Send back"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX_LENGTH)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return data


@require_GET
def incident_report_list(request: HttpRequest) -> HttpResponse:
    incidents = selectors.incident_list(for_client=True)[:200]
    return render(
        request, "incidents/crisis/report_list.html", {"incidents": incidents, "brand": request.tenant}
    )


def _detail(
    request: HttpRequest, incident: Incident, *, form=None, sign_off_form=None, status: int = 200
) -> HttpResponse:
    # Roles that may read responses see what waits for the client; only the approver assigned to
    # this incident gets the controls (the incident matrix's approve_client).
    sees_waiting = request_can(request, "responses.read")
    context = {
        "brand": request.tenant,
        "incident": incident,
        "entries": selectors.timeline_list(incident=incident, pinned_only=True),
        "team": selectors.assignment_list(incident=incident, active_only=True),
        "moderation": selectors.moderation_log_list(incident=incident, for_client=True),
        "waiting": selectors.client_waiting_list(incident=incident) if sees_waiting else None,
        "can_decide": request_can(request, "reports.decide")
        and incident_can(request.user, "approve_client", incident),
        "decision_form": form,
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
    # The completed review of a real incident, with only what is marked for the client.
    review = review_selectors.review_for_incident(incident_id=incident.pk, for_client=True)
    if review is not None:
        context["review"] = review
        context["review_figures"] = review_selectors.review_client_figures(review=review)
        context["can_sign_off"] = review.state == review.State.AWAITING_SIGN_OFF and request_can(
            request, "reports.decide"
        )
        context["sign_off_form"] = sign_off_form
    return render(request, "incidents/crisis/report_detail.html", context, status=status)


@require_GET
def incident_report_detail(request: HttpRequest, incident_id: UUID) -> HttpResponse:
    return _detail(request, selectors.incident_get(incident_id=incident_id, for_client=True))


@require_POST
def incident_report_decide(request: HttpRequest, incident_id: UUID) -> HttpResponse:
    """Approve or send back one item waiting for the client. A role without the matrix's
    reports.decide (a client viewer, staff) or an approver not assigned to the incident gets 403."""
    incident = selectors.incident_get(incident_id=incident_id, for_client=True)  # 404 first, as for a read
    if not request_can(request, "reports.decide"):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, form=form, status=400)
    data = form.cleaned_data
    if not selectors.client_decision_target_exists(
        incident=incident, kind=data["kind"], item_id=data["item_id"]
    ):
        raise Http404("Nothing of this incident waits for the client under that id.")
    approve = data["decision"] == "approve"
    calls = {
        ("response", True): lambda: response_services.response_approve(
            response_id=data["item_id"], actor=request.user, comment=data["comment"]
        ),
        ("response", False): lambda: response_services.response_reject(
            response_id=data["item_id"], actor=request.user, reason=data["comment"]
        ),
        ("status_update", True): lambda: status_update_services.status_update_approve(
            status_update_id=data["item_id"], actor=request.user, comment=data["comment"]
        ),
        ("status_update", False): lambda: status_update_services.status_update_reject(
            status_update_id=data["item_id"], actor=request.user, reason=data["comment"]
        ),
    }
    try:
        calls[(data["kind"], approve)]()
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _detail(request, incident, form=form, status=400)
    messages.success(request, _("Approved.") if approve else _("Sent back to the team with your comment."))
    return redirect("incident-report-detail", incident_id=incident.pk)


@require_POST
def incident_report_review_sign_off(request: HttpRequest, incident_id: UUID) -> HttpResponse:
    """Sign off (or send back) the incident's review. 404 before 403, as for a read; a role
    without the matrix's reports.decide (a client viewer, staff) gets 403."""
    incident = selectors.incident_get(incident_id=incident_id, for_client=True)
    review = review_selectors.review_for_incident(incident_id=incident.pk, for_client=True)
    if review is None:
        raise Http404("This incident has no review for the client.")
    if not request_can(request, "reports.decide"):
        raise PermissionDenied
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, sign_off_form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        review_services.review_sign_off(
            review_id=review.pk, actor=request.user, approve=approve, comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _detail(request, incident, sign_off_form=form, status=400)
    messages.success(
        request, _("Review signed off.") if approve else _("Sent back to the team with your comment.")
    )
    return redirect("incident-report-detail", incident_id=incident.pk)
