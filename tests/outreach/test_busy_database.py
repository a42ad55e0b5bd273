"""A database too busy to take a save right now: the agent gets "try again" (503), not a crash,
nothing is half-saved, and saving again once the database is free works."""

import pytest
from django.urls import reverse

from bereik.outreach.models import ContactAttempt
from tests.locking import queue_row_held_by_another_session

from .test_workspace import entry, form_data, frozen, take_next  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_save_that_meets_a_locked_database_is_a_clear_try_again(
    entry,  # noqa: F811
    agent,
    verified_client,
    outcomes,
):
    client = verified_client(agent)
    take_next(client)
    data = form_data(client, entry, outcome=outcomes["geen_gehoor"].pk)
    url = reverse("outreach:save", args=[entry.pk])

    with queue_row_held_by_another_session(entry):
        busy = client.post(url, data)
    assert busy.status_code == 503
    assert busy["Retry-After"] == "5"
    assert "probeer het over een paar seconden opnieuw" in busy.content.decode()
    assert not ContactAttempt.objects.exists()

    again = client.post(url, data)
    assert again.status_code == 302
    assert ContactAttempt.objects.get().outcome == outcomes["geen_gehoor"]
