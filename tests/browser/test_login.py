import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_user_logs_in_and_lands_on_the_overview(page, actors):
    page.goto("/login/")
    page.fill("input[name=username]", "manager@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/")
    assert page.locator("h1").inner_text() == "Acme"
    assert page.locator(".mainnav a[aria-current]").inner_text() == "Overview"
