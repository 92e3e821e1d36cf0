"""A post-crisis review to download, as Markdown or PDF. Staff export everything from the brand
admin (roles that read the review admin: `workspace.read`); the client's report page exports what it
shows (every role that reads the report pages: `brand.read`), through the same selectors, so drills
and open reviews are missing (404) and internal items never appear. The access middleware has
already refused anyone without a grant on the brand."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from reports.review_export import (
    ReviewDocument,
    review_document_for_client,
    review_document_for_staff,
    review_filename,
    review_markdown,
)
from tenants.admin_sites import brand_admin_site
from tenants.localization import reader_context
from tenants.roles import request_can

FORMATS = ("md", "pdf")


def _download(document: ReviewDocument, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        # Imported here: the PDF library loads in the process that renders a PDF, not in every
        # process that loads the URLs.
        from reports.review_pdf import review_pdf_render

        response = HttpResponse(review_pdf_render(document), content_type="application/pdf")
    else:
        response = HttpResponse(review_markdown(document), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review_filename(document, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def review_export_client(request: HttpRequest, incident_id: UUID, fmt: str) -> HttpResponse:
    """The incident's review as the client's report page shows it, in the reader's language."""
    if not request_can(request, "brand.read") or fmt not in FORMATS:
        raise Http404
    with reader_context(brand=request.tenant, language=get_language()):
        document = review_document_for_client(incident_id=incident_id, brand=request.tenant)
        return _download(document, fmt)


@require_GET
def _review_export_staff(request: HttpRequest, review_id: UUID, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    if not request_can(request, "workspace.read"):
        raise PermissionDenied  # as the review admin answers a client role
    with reader_context(brand=request.tenant, language=get_language()):
        document = review_document_for_staff(review_id=review_id, brand=request.tenant)
        return _download(document, fmt)


# Behind the brand admin's sign-in (its login page, never cached), like the review admin itself.
review_export_staff = brand_admin_site.admin_view(_review_export_staff)
