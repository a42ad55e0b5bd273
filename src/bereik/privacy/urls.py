from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("gemeenten/<int:pk>/", views.municipality, name="municipality"),
    path("gemeenten/<int:pk>/bewaartermijnen/", views.retention_terms, name="retention_terms"),
    path("gemeenten/<int:pk>/export/", views.export_municipality, name="export"),
    path("opschoningen/<int:pk>/", views.purge_run, name="purge_run"),
    path("opschoningen/<int:pk>/csv/", views.purge_run_csv, name="purge_run_csv"),
    path("dossiers/<int:case_pk>/bewaarplicht/", views.legal_hold, name="legal_hold"),
    path("inwoners/<int:resident_pk>/bezwaar/", views.objection, name="objection"),
    path("inwoners/<int:resident_pk>/inzage/", views.inzage, name="inzage"),
    path(
        "inwoners/<int:resident_pk>/inzage.json",
        views.inzage_download,
        {"fmt": "json"},
        name="inzage_json",
    ),
    path(
        "inwoners/<int:resident_pk>/inzage.pdf",
        views.inzage_download,
        {"fmt": "pdf"},
        name="inzage_pdf",
    ),
]
