"""Two roles log in with two factors in a real browser and each sees its own start page."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from bereik.accounts.roles import Role

from .helpers import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _label(role: Role) -> str:
    with translation.override("nl"):
        return str(role.label)


def test_agent_and_coordinator_log_in_with_mfa(page, municipality, contact_centre, make_member):
    agent = make_member(Role.AGENT, contact_centre, username="beller-e2e")
    coordinator = make_member(Role.COORDINATOR, municipality, username="coordinator-e2e")

    log_in(page, agent)
    roles = page.get_by_test_id("roles")
    assert _label(Role.AGENT) in roles.inner_text()
    assert contact_centre.name in roles.inner_text()
    log_out(page)

    log_in(page, coordinator)
    roles = page.get_by_test_id("roles")
    assert _label(Role.COORDINATOR) in roles.inner_text()
    assert municipality.name in roles.inner_text()
    assert _label(Role.AGENT) not in roles.inner_text()


def test_wrong_code_keeps_the_user_out(page, municipality, make_member):
    user = make_member(Role.COORDINATOR, municipality, username="wrongcode-e2e")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/verify/")
    page.fill("input[name=token]", "000000")
    page.locator("main form").first.locator("button[type=submit]").click()
    # The refused code comes back as a new page: wait for it, not for the old one.
    expect(page.locator(".utrecht-form-field-error-message")).to_have_count(1)
    assert "/accounts/verify/" in page.url
    page.goto("/")
    assert "/accounts/verify/" in page.url
