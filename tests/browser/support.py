"""Helpers the browser tests share."""

from tests.conftest import PASSWORD


def log_in(page, email: str = "manager@acme.test", lands_on: str | None = "**/w/acme/**") -> None:
    """Log in through the form as one of the `actors` (they share PASSWORD) and wait for the
    page the login lands on (`lands_on`, a URL glob; None: do not wait)."""
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if lands_on is not None:
        page.wait_for_url(lands_on)
