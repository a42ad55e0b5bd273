from django.urls import path

from . import views

app_name = "lifecycle"
urlpatterns = [
    path("", views.closure, name="closure"),
    path("afsluitingen/<int:pk>/", views.batch, name="batch"),
    path("afsluitingen/<int:pk>/ongedaan-maken/", views.undo, name="undo"),
    path("regels/", views.rules, name="rules"),
    path("regels/<int:municipality_pk>/<slug:kind>/", views.rule_edit, name="rule_edit"),
    path("voorstellen/", views.proposals, name="proposals"),
    path("voorstellen/uitvoeren/", views.run_rules, name="run_rules"),
    path("voorstellen/<int:pk>/", views.proposal, name="proposal"),
    path("terugkoppeling/", views.feedback, name="feedback"),
    path("terugkoppeling/bestand/", views.feedback_download, name="feedback_download"),
    path("terugkoppeling/onjuiste-nummers/", views.wrong_numbers_download, name="wrong_numbers"),
]
