from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.detail, name="detail"),
    path("<slug:key>/drafts/", views.save_draft, name="save_draft"),
    path("<slug:key>/<int:version>/publish/", views.publish, name="publish"),
]
