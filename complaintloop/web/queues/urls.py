from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/<str:action>/", views.bulk, name="queue_bulk"),
    path("views/", views.save_view, name="queue_save_view"),
    path("views/<int:pk>/delete/", views.delete_view, name="queue_delete_view"),
]
