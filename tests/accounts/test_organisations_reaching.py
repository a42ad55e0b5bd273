"""``organisations_reaching`` (one query, for webhooks) is exactly the inverse of
``municipalities_reached_by`` (per organisation, for API tokens)."""

import datetime as dt

import pytest
from django.utils import timezone

from bereik.accounts.access import municipalities_reached_by, organisations_reaching
from bereik.accounts.models import Organisation
from tests.factories import MunicipalityFactory, ProviderFactory, ServiceAgreementFactory

pytestmark = pytest.mark.django_db


def test_the_organisations_reaching_a_municipality_are_those_it_is_reached_by():
    today = timezone.localdate()
    alfa, beta = MunicipalityFactory(), MunicipalityFactory()
    closed_down = MunicipalityFactory(is_active=False)
    current = ProviderFactory()
    ServiceAgreementFactory(provider=current, municipality=alfa)
    ServiceAgreementFactory(provider=current, municipality=closed_down)
    ended = ProviderFactory()
    ServiceAgreementFactory(provider=ended, municipality=alfa, ends_on=today - dt.timedelta(days=1))
    future = ProviderFactory(social_work=True)
    ServiceAgreementFactory(
        provider=future, municipality=beta, starts_on=today + dt.timedelta(days=1)
    )
    ending_today = ProviderFactory(social_work=True)
    ServiceAgreementFactory(provider=ending_today, municipality=beta, ends_on=today)
    inactive = ProviderFactory(is_active=False)
    ServiceAgreementFactory(provider=inactive, municipality=alfa)

    for municipality in (alfa, beta, closed_down):
        expected = {
            o.pk
            for o in Organisation.objects.all()
            if municipality.pk in municipalities_reached_by(o)
        }
        assert set(organisations_reaching(municipality.pk).values_list("pk", flat=True)) == (
            expected
        ), municipality
    assert set(organisations_reaching(alfa.pk)) == {alfa, current}
    assert set(organisations_reaching(beta.pk)) == {beta, ending_today}
