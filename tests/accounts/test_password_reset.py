"""Password reset by e-mail, without revealing which addresses have an account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import submit_password

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-and-long-password-42"


def _request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def _link_from_mail() -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)


def test_known_address_receives_a_link(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    response = _request_reset(client, user.email)
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    response = _request_reset(client, "nobody@example.invalid")
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_link_sets_a_new_password(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    _request_reset(client, user.email)
    form_url = client.get(_link_from_mail()).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:password_reset_complete")
    assert submit_password(client, user.username, NEW_PASSWORD).url == reverse("accounts:verify")


def test_used_link_is_refused(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    _request_reset(client, user.email)
    link = _link_from_mail()
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "Deze link is ongeldig of al gebruikt." in again.text


def test_weak_new_password_is_refused_with_a_message(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    _request_reset(client, user.email)
    form_url = client.get(_link_from_mail()).url
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors
