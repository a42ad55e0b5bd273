"""Reads of the API, always within the municipalities a token reaches."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from rest_framework.exceptions import NotFound

from bereik.accounts.models import Organisation
from bereik.cases.models import Case, Signal
from bereik.outreach.selectors import INBOUND_STATES

from .authentication import ApiClient
from .models import ApiToken, WebhookDelivery, WebhookSubscription


def _cases(client: ApiClient) -> QuerySet:
    return (
        Case.objects.filter(municipality_id__in=client.municipality_ids)
        .select_related("municipality", "recidive_of")
        .prefetch_related(
            Prefetch(
                "signals",
                queryset=Signal.objects.only(
                    "case_id", "external_id", "source", "partner_type", "signal_date", "status"
                ).order_by("signal_date", "pk"),
            )
        )
    )


def cases_for(
    client: ApiClient,
    *,
    state: set | None = None,
    matchingPeriod: str | None = None,
    updatedSince: dt.datetime | None = None,
    municipalityCode: str | None = None,
    **_paging,
) -> QuerySet:
    cases = _cases(client)
    if state:
        cases = cases.filter(state__in=state)
    if matchingPeriod:
        year, month = (int(part) for part in matchingPeriod.split("-"))
        cases = cases.filter(matching_period=dt.date(year, month, 1))
    if updatedSince:
        cases = cases.filter(updated_at__gte=updatedSince)
    if municipalityCode:
        cases = cases.filter(municipality__municipality_code=municipalityCode)
    return cases.order_by("updated_at", "pk")


def case_for(client: ApiClient, reference: str) -> Case:
    case = _cases(client).filter(reference=reference).first()
    if case is None:
        raise NotFound("No such case.")
    return case


def callers_cases(client: ApiClient, e164: str) -> list[Case]:
    """Unfinished cases of residents with this number (as the agents' inbound lookup)."""
    return list(
        Case.objects.filter(
            municipality_id__in=client.municipality_ids,
            resident__phone_numbers__e164=e164,
            state__in=INBOUND_STATES,
        )
        .select_related("municipality")
        .distinct()
        .order_by("-matching_period", "pk")
    )


def subscriptions_for(client: ApiClient) -> QuerySet:
    return WebhookSubscription.objects.filter(organisation=client.organisation).order_by("pk")


# --- administration (portal) -------------------------------------------------------------------


def tokens_of(organisations: list[Organisation]) -> QuerySet:
    return ApiToken.objects.filter(organisation__in=organisations).select_related(
        "organisation", "created_by"
    )


def deliveries_of(organisations: list[Organisation]) -> QuerySet:
    return (
        WebhookDelivery.objects.filter(subscription__organisation__in=organisations)
        .select_related("subscription", "municipality")
        .prefetch_related("log")
    )
