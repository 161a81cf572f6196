from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/attach/", views.attach, name="attach"),
    path("<int:incident_id>/resolve/", views.resolve, name="resolve"),
]
