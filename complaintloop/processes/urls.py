from django.urls import path

from . import views

app_name = "processes"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("categories/", views.categories, name="categories"),
    path("<slug:key>/", views.detail, name="detail"),
    path("<slug:key>/drafts/", views.save_draft, name="save_draft"),
    path("<slug:key>/diff/", views.diff, name="diff"),
    path("<slug:key>/<int:version>/publish/", views.publish, name="publish"),
]
