from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/verify/", views.verify, name="verify"),
    path("t/<str:number>/", views.ticket, name="ticket"),
    path("t/<str:number>/survey/", views.survey, name="survey"),
    path("t/<str:number>/reopen/", views.reopen, name="reopen"),
    path("t/<str:number>/preferences/", views.preferences, name="preferences"),
]
