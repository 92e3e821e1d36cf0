"""The report's PDF export on a brand host, for every role that reads the report pages
(`brand.read`); the access middleware has already refused anyone without a grant on the brand."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from reports.periods import period_resolve
from reports.views import PeriodForm
from tenants.roles import request_can


@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The whole report over the page's `?period=…` (the same form), in the page's language."""
    if not request_can(request, "brand.read"):
        raise Http404
    brand = request.tenant
    form = PeriodForm(request.GET or None)
    period = form.resolve(brand.timezone) if request.GET else period_resolve(tz=brand.timezone, key="30d")
    if period is None:
        return JsonResponse({"detail": "Choose a valid period.", "errors": form.errors}, status=400)
    language = get_language() or brand.default_language
    # Imported here: the PDF library loads in the process that renders a PDF, not in every process
    # that loads the URLs.
    from reports.pdf import report_filename, report_pdf_for_period

    pdf = report_pdf_for_period(brand=brand, period=period, language=language, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(brand=brand, period=period)}"'
    response["Cache-Control"] = "private, no-store"
    return response
