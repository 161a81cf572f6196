from django.urls import path

from .views import board, evaluation, registry, scorecards

app_name = "quality"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("rows/<slug:code>/", board.dashboard_row, name="dashboard_row"),
    path("indicators/<slug:code>/", board.indicator, name="indicator"),
    path("ranking/", board.ranking, name="ranking"),
    path("tickets/", board.tickets, name="tickets"),
    path("registry/", registry.index, name="registry"),
    path("registry/new/", registry.new, name="indicator_new"),
    path("registry/<slug:code>/edit/", registry.edit, name="indicator_edit"),
    path("scorecards/", scorecards.index, name="scorecards"),
    path("scorecards/weights/", scorecards.weights, name="scorecard_weights"),
    path("evaluations/<str:number>/", evaluation.panel, name="evaluation"),
]
