from django.contrib import admin
from django.http import JsonResponse
from django.urls import path

from complaintloop.core.api import api


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz),
]
