from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("transcribe/<str:number>/", views.transcribe, name="transcribe"),
    path(
        "transcribe/<str:number>/files/<int:attachment_id>/",
        views.media_file,
        name="media_file",
    ),
]
