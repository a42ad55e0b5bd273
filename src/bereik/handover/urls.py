from django.urls import path

from . import views

app_name = "handover"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accepteren/", views.accept, name="accept"),
    path("<int:pk>/toewijzen/", views.assign, name="assign"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/resultaat/", views.result, name="result"),
    path("<int:pk>/terugsturen/", views.return_to_coordinator, name="return"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/tijden/<int:pk>/intrekken/", views.withdraw_slot, name="withdraw_slot"),
    path("afspraken/<int:pk>/annuleren/", views.cancel_appointment, name="cancel_appointment"),
    path("afspraken/<int:pk>/afspraak.ics", views.appointment_ics, name="appointment_ics"),
    path("coordinatie/", views.coordination, name="coordination"),
    path("coordinatie/<int:pk>/doorsturen/", views.reroute, name="reroute"),
    path("coordinatie/<int:pk>/afsluiten/", views.close, name="close"),
]
