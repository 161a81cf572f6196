from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from complaintloop.api import api
from complaintloop.core.metrics import metrics_view
from complaintloop.web import process_simulation


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


urlpatterns = [
    # One way in for everyone: the admin signs in through the throttled login with its
    # second factor, not through its own form.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz),
    path("metrics", metrics_view),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("complaintloop.portal.urls")),
    path("channels/", include("complaintloop.channels.urls")),
    path("reports/", include("complaintloop.reports.urls")),
    path("retention/", include("complaintloop.retention.urls")),
    path("incidents/", include("complaintloop.incidents.urls")),
    path("processes/decisions/", include("complaintloop.routing.urls")),
    path(
        "processes/<slug:key>/simulate/",
        process_simulation.simulate,
        name="process_simulate",
    ),
    path("processes/", include("complaintloop.processes.urls")),
    path("insights/", include("complaintloop.insights.urls")),
    path("quality/", include("complaintloop.quality.urls")),
    path("", include("complaintloop.web.urls")),
]
