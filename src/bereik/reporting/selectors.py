"""Reads for the reporting pages: which municipalities, campaigns, agents and partner labels a
user may filter on. Everything is scoped to the municipalities where the user may see reports."""

from django.db.models import Q
from django.http import Http404

from bereik.accounts.access import access_for
from bereik.accounts.models import Organisation, ServiceAgreement, User
from bereik.accounts.roles import OrganisationKind, Permission, Role
from bereik.cases.models import Signal
from bereik.outreach.models import Campaign


def report_municipalities(user, permission: Permission = Permission.VIEW_REPORTS):
    ids = access_for(user).municipality_ids(permission)
    return list(
        Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.MUNICIPALITY).order_by("name")
    )


def chosen_municipalities(user, raw_id, permission: Permission = Permission.VIEW_REPORTS):
    """The municipalities a page reports on: the one asked for (404 when the user may not see
    it or it does not exist) or, without a choice, all the user may see."""
    municipalities = report_municipalities(user, permission)
    if raw_id in (None, ""):
        return municipalities, municipalities[0] if len(municipalities) == 1 else None
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        raise Http404 from None
    for municipality in municipalities:
        if municipality.pk == wanted:
            return [municipality], municipality
    raise Http404


def campaigns_in(municipality_ids):
    return list(
        Campaign.objects.filter(municipality_id__in=municipality_ids)
        .select_related("municipality")
        .order_by("municipality__name", "-starts_on", "name")
    )


def agents_in(municipality_ids):
    """Agents and supervisors of the municipalities and of their contact centres."""
    provider_ids = ServiceAgreement.objects.filter(municipality_id__in=municipality_ids).values(
        "provider_id"
    )
    return list(
        User.objects.filter(
            Q(memberships__organisation_id__in=municipality_ids)
            | Q(memberships__organisation_id__in=provider_ids),
            memberships__role__in=[Role.AGENT, Role.SUPERVISOR],
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def partner_labels(municipality_ids, period_start, period_end) -> list[str]:
    return list(
        Signal.objects.filter(
            municipality_id__in=municipality_ids,
            signal_date__gte=period_start,
            signal_date__lte=period_end,
        )
        .exclude(partner_name="")
        .values_list("partner_name", flat=True)
        .distinct()
        .order_by("partner_name")[:500]
    )
