from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("nieuw/", views.upload, name="upload"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/voortgang/", views.run_progress, name="run_progress"),
    path("<int:pk>/foutenrapport.csv", views.error_report, name="error_report"),
    path("profielen/", views.profile_list, name="profiles"),
    path("profielen/nieuw/", views.profile_edit, name="profile_new"),
    path("profielen/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("profielen/<int:pk>/verwijderen/", views.profile_delete, name="profile_delete"),
    path("regels/", views.rules, name="rules"),
    path("verrijking/", views.enrichment, name="enrichment"),
    path("verrijking/export/", views.enrichment_export, name="enrichment_export"),
    path("verrijking/<int:pk>/antwoord/", views.enrichment_answer, name="enrichment_answer"),
]
