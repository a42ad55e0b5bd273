"""Reads of the intake, always scoped to the municipalities where the user holds the permission."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bereik.accounts import access
from bereik.accounts.access import scope
from bereik.accounts.models import Organisation
from bereik.accounts.roles import Permission
from bereik.cases.models import Case
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState

from .models import EnrichmentBatch, ImportRun, MappingProfile, RoutingRule


def municipalities_for(user, permission: Permission) -> QuerySet[Organisation]:
    """Municipalities signals can be imported for: those still active."""
    return access.municipalities_for(user, permission).filter(is_active=True)


def runs_for(user) -> QuerySet[ImportRun]:
    return scope(ImportRun.objects.all(), user, Permission.IMPORT_SIGNALS).select_related(
        "municipality", "created_by"
    )


def profiles_for(user) -> QuerySet[MappingProfile]:
    return scope(MappingProfile.objects.all(), user, Permission.IMPORT_SIGNALS).select_related(
        "municipality"
    )


def rules_of(municipality) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(municipality=municipality).order_by("position", "pk")


def enrichment_queue(municipality) -> QuerySet[Case]:
    """Cases waiting for enrichment that are not in an unanswered batch yet."""
    return (
        Case.objects.filter(municipality=municipality, state=CaseState.ENRICHMENT)
        .exclude(
            pk__in=EnrichmentBatch.objects.filter(
                municipality=municipality, answered_at__isnull=True
            ).values("requests__case")
        )
        .select_related("resident")
        .order_by("-is_crisis", "due_on", "pk")
    )


def batches_for(user) -> QuerySet[EnrichmentBatch]:
    return scope(EnrichmentBatch.objects.all(), user, Permission.IMPORT_SIGNALS).select_related(
        "municipality"
    )


# The keys of a run's routing outcome (``routing.RoutingSummary``): a case state, or one of these
# for cases closed as not picked up.
_CLOSED_OUTCOMES = {
    "closed_repeat": EndResult.NOT_PICKED_UP_REPEAT.label,
    "closed_unjustified": EndResult.NOT_PICKED_UP_UNJUSTIFIED.label,
}


def routing_outcomes(run: ImportRun) -> list[tuple[str, int]]:
    """The run's routing outcome as ``(label, count)`` in the user's language, in stored order;
    a key this code does not know is shown as it is rather than hidden."""
    labels = {state.value: state.label for state in CaseState} | _CLOSED_OUTCOMES
    return [(str(labels.get(key, key)), count) for key, count in (run.routing or {}).items()]


def intake_cards(user) -> list:
    from bereik.portal.home import Card

    last = runs_for(user).first()
    figure = last.imported if last else 0
    return [Card(_("Signals in the last import"), figure, reverse("intake:run_list"), _("Imports"))]
