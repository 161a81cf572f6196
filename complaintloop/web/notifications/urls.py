from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="notifications"),
    path("badge/", views.badge, name="notifications_badge"),
    path("read/", views.read, name="notifications_read"),
]
