from django.contrib import admin
from django.urls import include, path

handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"

urlpatterns = [
    path("", include("bereik.portal.urls")),
    path("accounts/", include("bereik.accounts.urls")),
    path("beheer/", include("bereik.accounts.admin_urls")),
    path("dossiers/", include("bereik.cases.urls")),
    path("intake/", include("bereik.intake.urls")),
    path("bellen/", include("bereik.outreach.urls")),
    path("privacy/", include("bereik.privacy.urls")),
    path("planner/", include("bereik.reach.urls")),
    path("overdracht/", include("bereik.handover.urls")),
    path("afsluiting/", include("bereik.lifecycle.urls")),
    path("rapportage/", include("bereik.reporting.urls")),
    path("api/", include("bereik.api.urls")),
    path("audit/", include("bereik.audit.urls")),
    path("django-admin/", admin.site.urls),
]
