import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from bereik.accounts.roles import Role

from .conftest import log_in_fully

pytestmark = pytest.mark.django_db


def test_session_expires_after_inactivity(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    start = timezone.now()
    with freeze_time(start):
        log_in_fully(client, user)
        assert client.get(reverse("portal:home")).status_code == 200
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with freeze_time(start + idle):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_activity_keeps_the_session_alive(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    start = timezone.now()
    step = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE * 2 // 3)
    with freeze_time(start):
        log_in_fully(client, user)
    with freeze_time(start + step):
        assert client.get(reverse("portal:home")).status_code == 200
    with freeze_time(start + 2 * step):
        assert client.get(reverse("portal:home")).status_code == 200
