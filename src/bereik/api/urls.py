from django.urls import path, re_path

from . import admin_views, schema, views, views_followup

app_name = "api"
urlpatterns = [
    path("v1/signals", views.SignalBatchView.as_view(), name="signals"),
    path("v1/cases", views.CaseListView.as_view(), name="cases"),
    path("v1/cases/<str:reference>", views.CaseDetailView.as_view(), name="case"),
    path("v1/contact-attempts", views.ContactAttemptView.as_view(), name="contact_attempts"),
    path("v1/callers", views.CallerView.as_view(), name="callers"),
    path(
        "v1/webhook-subscriptions",
        views.WebhookSubscriptionListView.as_view(),
        name="webhook_subscriptions",
    ),
    path(
        "v1/webhook-subscriptions/<int:pk>",
        views.WebhookSubscriptionDetailView.as_view(),
        name="webhook_subscription",
    ),
    path("v1/handovers", views_followup.HandoverListView.as_view(), name="handovers"),
    path(
        "v1/handovers/<int:pk>/accept",
        views_followup.HandoverAcceptView.as_view(),
        name="handover_accept",
    ),
    path(
        "v1/handovers/<int:pk>/result",
        views_followup.HandoverResultView.as_view(),
        name="handover_result",
    ),
    path("v1/figures", views_followup.FiguresView.as_view(), name="figures"),
    path("v1/ddas-deliveries", views_followup.DdasDeliveryView.as_view(), name="ddas"),
    path("v1/openapi.json", schema.OpenApiJsonView.as_view(), name="openapi_json"),
    path("v1/openapi.yaml", schema.OpenApiYamlView.as_view(), name="openapi_yaml"),
    path("v1/docs", schema.docs, name="docs"),
    # Administration in the portal (login required: outside the exempt /api/v1/ prefix).
    path("beheer/", admin_views.token_list, name="tokens"),
    path("beheer/nieuw/", admin_views.token_create, name="token_create"),
    path("beheer/<int:pk>/intrekken/", admin_views.token_revoke, name="token_revoke"),
    path("beheer/webhooks/", admin_views.delivery_log, name="deliveries"),
    re_path(r"^v1/(?P<rest>.*)$", views.NotFoundView.as_view(), name="not_found"),
]
