from django.urls import path

from . import views

app_name = "reach"
urlpatterns = [
    path("", views.planner, name="planner"),
]
