from django.urls import path

from . import views

urlpatterns = [
    path("<str:number>/", views.ticket_page, name="ticket"),
    path("<str:number>/actions/<str:action>/", views.ticket_action, name="ticket_action"),
    path("<str:number>/unmask/", views.unmask, name="ticket_unmask"),
    path("<str:number>/attachments/", views.attach, name="ticket_attach"),
    path(
        "<str:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="ticket_attachment",
    ),
]
