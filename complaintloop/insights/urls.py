from django.urls import path

from .views import analysis, dictionary, notices, problems, warnings

app_name = "insights"
urlpatterns = [
    path("hotspots/", analysis.hotspots, name="hotspots"),
    path("pivot/", analysis.pivot, name="pivot"),
    path("tickets/", analysis.tickets, name="tickets"),
    path("tickets/link/", problems.link_selection, name="link_selection"),
    path("warnings/", warnings.index, name="warnings"),
    path("warnings/run/", warnings.run, name="run"),
    path("warnings/<int:alert_id>/", warnings.detail, name="warning"),
    path("warnings/<int:alert_id>/<str:action>/", warnings.act, name="warning_act"),
    path("notices/", notices.index, name="notices"),
    path("notices/new/", notices.new, name="notice_new"),
    path("notices/<int:notice_id>/", notices.detail, name="notice"),
    path("notices/<int:notice_id>/<str:action>/", notices.act, name="notice_act"),
    path("problems/", problems.index, name="problems"),
    path("problems/<int:problem_id>/", problems.detail, name="problem"),
    path("problems/<int:problem_id>/<str:action>/", problems.act, name="problem_act"),
    path("dictionary/", dictionary.index, name="dictionary"),
    path("dictionary/<str:action>/", dictionary.act, name="dictionary_act"),
]
