"""The brand-host URLconf plus the benchmark's baseline: a bare Django view doing one INSERT, under
/s/ like the survey pages, so both pass the same middleware (no login redirect)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from platform.urls_tenant import urlpatterns as tenant_urlpatterns


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare_hit (note) VALUES (%s)", [request.POST.get("note", "")])
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("s/bench/bare-insert/", bare_insert), *tenant_urlpatterns]
