from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("table/", views.table, name="table"),
    path("<int:report_id>/retry/", views.retry, name="retry"),
    path("<int:report_id>/<str:fmt>/", views.download, name="download"),
    path("recipients/", views.add_recipient, name="add_recipient"),
    path("recipients/<int:recipient_id>/delete/", views.remove_recipient, name="remove_recipient"),
]
