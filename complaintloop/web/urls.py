from django.urls import include, path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    # The code step after the password, 安全设置 and the administrator's 登录安全.
    path("", include("complaintloop.web.security.urls")),
    # Each page family lives in its own package: views, urls, templates/web/<family>/.
    path("intake/", include("complaintloop.web.intake.urls")),
    path("queues/", include("complaintloop.web.queues.urls")),
    path("tickets/", include("complaintloop.web.ticket.urls")),
    path("console/", include("complaintloop.web.console.urls")),
    path("notifications/", include("complaintloop.web.notifications.urls")),
    path("audit/", include("complaintloop.web.audit.urls")),
]
