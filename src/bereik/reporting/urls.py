from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cijfers.json", views.figures_json, name="figures_json"),
    path("maandrapportage/", views.report_download, name="report_download"),
    path("ddas/", views.ddas_download, name="ddas_download"),
    path("instellingen/", views.report_settings, name="settings"),
]
