from django.urls import path

from . import team, views

app_name = "console"
urlpatterns = [
    path("", views.index, name="index"),
    path("team/", team.team, name="team"),
    path("counts/", views.counts, name="counts"),
    path("lists/", views.lists, name="lists"),
    path("data.json", views.data, name="data"),
    path("act/<str:number>/<str:action>/", views.act, name="act"),
]
