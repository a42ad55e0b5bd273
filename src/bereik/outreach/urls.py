from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("volgende/", views.next_resident, name="next"),
    path("werk/<int:pk>/", views.workspace, name="workspace"),
    path("werk/<int:pk>/opslaan/", views.save_outcome, name="save"),
    path("werk/<int:pk>/vrijgeven/", views.release_resident, name="release"),
    path("werk/<int:pk>/nummer/", views.add_number, name="add_number"),
    path("werk/<int:pk>/bericht/", views.send_text, name="send_message"),
    path("inkomend/", views.inbound, name="inbound"),
    path("inkomend/zoek/", views.inbound_lookup, name="inbound_lookup"),
    path("inkomend/<int:case_pk>/", views.inbound_start, name="inbound_start"),
    path("voortgang/", views.progress, name="progress"),
    path("campagnes/", views.campaign_list, name="campaigns"),
    path("campagnes/nieuw/", views.campaign_edit, name="campaign_create"),
    path("campagnes/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("campagnes/<int:pk>/vullen/", views.campaign_enqueue, name="campaign_enqueue"),
    path("uitkomsten/", views.outcome_list, name="outcomes"),
    path("uitkomsten/<int:municipality_pk>/<int:pk>/", views.outcome_edit, name="outcome_edit"),
    path("scripts/", views.script_list, name="scripts"),
    path("scripts/nieuw/", views.script_edit, name="script_create"),
    path("scripts/<int:pk>/", views.script_edit, name="script_edit"),
    path("teksten/nieuw/", views.template_edit, name="template_create"),
    path("teksten/<int:pk>/", views.template_edit, name="template_edit"),
]
