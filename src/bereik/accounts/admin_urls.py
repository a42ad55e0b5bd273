"""User management for the functional administrator, mounted under ``/beheer/``."""

from django.urls import path

from . import user_views

app_name = "user_admin"
urlpatterns = [
    path("", user_views.index, name="index"),
    path("gebruikers/", user_views.user_list, name="list"),
    path("gebruikers/nieuw/", user_views.user_create, name="create"),
    path("gebruikers/<int:pk>/", user_views.user_detail, name="detail"),
    path("gebruikers/<int:pk>/wijzigen/", user_views.user_edit, name="edit"),
    path("gebruikers/<int:pk>/rollen/", user_views.membership_add, name="membership_add"),
    path(
        "gebruikers/<int:pk>/rollen/<int:membership_pk>/verwijderen/",
        user_views.membership_remove,
        name="membership_remove",
    ),
    path("gebruikers/<int:pk>/deactiveren/", user_views.user_deactivate, name="deactivate"),
    path("gebruikers/<int:pk>/activeren/", user_views.user_reactivate, name="reactivate"),
    path(
        "gebruikers/<int:pk>/tweestapsverificatie-herstellen/",
        user_views.user_reset_mfa,
        name="reset_mfa",
    ),
    path("gebruikers/<int:pk>/ontgrendelen/", user_views.user_unlock, name="unlock"),
    path(
        "gebruikers/<int:pk>/wachtwoordmail/",
        user_views.user_send_password_email,
        name="send_password_email",
    ),
]
