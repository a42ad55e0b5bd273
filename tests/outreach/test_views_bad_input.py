"""Query parameters that are not an id (typed, truncated or tampered with) are a 404, never a
500; the empty value the pages' own filter forms send still means "all" or "the first"."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Letters, a decimal, a superscript digit (str.isdigit() accepts it, int() does not) and more
# digits than any database id holds (an overflow on SQLite).
NOT_AN_ID = ["abc", "1.5", "²", "9" * 30]


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_outcome_settings_with_a_municipality_that_is_not_an_id_is_not_found(
    value, supervisor, verified_client, outcomes, municipality
):
    client = verified_client(supervisor)
    assert client.get(reverse("outreach:outcomes"), {"gemeente": value}).status_code == 404
    first = client.get(reverse("outreach:outcomes"), {"gemeente": ""})
    assert first.status_code == 200 and first.context["municipality"] == municipality


@pytest.mark.parametrize("parameter", ["campaign", "municipality"])
@pytest.mark.parametrize("value", NOT_AN_ID)
def test_progress_with_a_filter_that_is_not_an_id_is_not_found(
    parameter, value, supervisor, verified_client, campaign
):
    client = verified_client(supervisor)
    assert client.get(reverse("outreach:progress"), {parameter: value}).status_code == 404
    everything = client.get(reverse("outreach:progress"), {"campaign": "", "municipality": ""})
    assert everything.status_code == 200
    assert everything.context["campaign_id"] is None
    own = {"campaign": campaign.pk, "municipality": campaign.municipality_id}[parameter]
    filtered = client.get(reverse("outreach:progress"), {parameter: str(own)})
    assert filtered.status_code == 200 and filtered.context[f"{parameter}_id"] == own
