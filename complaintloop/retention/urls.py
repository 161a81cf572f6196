from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.index, name="index"),
    path("run/", views.run, name="run"),
    path("policies/<str:data_class>/", views.update_policy, name="policy"),
]
