"""The interactive API documentation renders in a browser from our own static files only."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_the_operations_without_any_outside_request(page, live_server):
    outside = []

    def block_outside(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block_outside)
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/signals", exact=True).first.wait_for()
    assert page.get_by_text("/api/v1/contact-attempts", exact=True).first.is_visible()
    assert page.get_by_text("Bereik API").first.is_visible()
    assert outside == []
