import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_post_without_csrf_token_gets_the_friendly_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": "someone", "password": "something"}
    )
    assert response.status_code == 403
    assert "Formulier verlopen" in response.text
