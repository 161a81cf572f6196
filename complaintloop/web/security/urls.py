from django.urls import path

from . import views

# Included into the web namespace beside login/: web:login_code, web:security, …
urlpatterns = [
    path("login/code/", views.login_code, name="login_code"),
    path("login/challenge.png", views.challenge_image, name="login_challenge"),
    path("security/", views.settings_page, name="security"),
    path("security/qr.svg", views.enrolment_qr, name="security_qr"),
    path("security/admin/", views.admin_page, name="security_admin"),
    path("security/admin/unlock/", views.unlock, name="security_unlock"),
    path("security/admin/reset/", views.reset_second_factor, name="security_reset"),
]
