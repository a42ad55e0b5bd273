from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():0{device.digits}d}"


def log_in(page, user, password: str = TEST_PASSWORD) -> None:
    """Log in through the real pages: password first, then the authenticator code."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/verify/")
    page.fill("input[name=token]", current_code(user))
    page.locator("main form").first.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def log_out(page) -> None:
    page.click("header form button[type=submit]")
    page.wait_for_url("**/accounts/login/")
