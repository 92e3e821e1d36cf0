"""The client's content page on the brand host (/reports/content/): what waits for the client's
decision — content items in review when the brand requires the client's approval (and the reviews
waiting for their sign-off, linked to each incident's page). The client approver approves or
rejects with a comment through content's own approve/reject services; everyone else on the brand
sees the list without the controls."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from content.models import ContentItem
from content.selectors import items_awaiting_client
from content.services import library
from tenants.errors import DomainError
from tenants.roles import request_can

COMMENT_MAX_LENGTH = 2000


class ContentDecisionForm(forms.Form):
    """The client approver's decision on one item: approve (comment optional) or reject (say why)."""

    item_id = forms.UUIDField()
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX_LENGTH)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return data


def _page(request: HttpRequest, *, form=None, status: int = 200) -> HttpResponse:
    context = {
        "brand": request.tenant,
        "items": items_awaiting_client(),
        "can_decide": request_can(request, "reports.decide"),
        "decision_form": form,
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
    return render(request, "content/report_waiting.html", context, status=status)


@require_GET
def content_report_waiting(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def content_report_decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject one item waiting for the client. A role without the matrix's
    reports.decide (a client viewer, staff) gets 403; an item not waiting for the client, 404."""
    form = ContentDecisionForm(request.POST)
    if not form.is_valid():
        if not request_can(request, "reports.decide"):
            raise PermissionDenied
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    item_id: UUID = data["item_id"]
    approve = data["decision"] == "approve"
    # 404 before 403, as for a read. An approved item answers a repeated approval with no change;
    # anything else not waiting for the client is missing.
    repeat = approve and ContentItem.objects.filter(pk=item_id, status=ContentItem.Status.APPROVED).exists()
    if not repeat and not items_awaiting_client().filter(pk=item_id).exists():
        raise Http404("Nothing waits for the client under that id.")
    if not request_can(request, "reports.decide"):
        raise PermissionDenied
    try:
        if approve:
            library.item_approve(item_id=item_id, actor=request.user, comment=data["comment"])
        else:
            library.item_reject(item_id=item_id, actor=request.user, comment=data["comment"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, form=form, status=400)
    messages.success(request, _("Approved.") if approve else _("Rejected with your comment."))
    return redirect("content-report-waiting")
