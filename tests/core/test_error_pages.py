"""Errors look like the rest of the app, and the favicon is ours (no 404 for /favicon.ico)."""

from django.test import RequestFactory
from django.views.defaults import server_error


def test_404_page_is_styled_and_leads_home(manager_client):
    response = manager_client.get("/w/acme/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "/static/inviteflow/app.css" in page
    assert "Go to your workspace" in page and "manager@acme.test" in page


def test_404_for_someone_logged_out_offers_the_login(client, db):
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page and "Log in" in page


def test_500_page_is_styled_without_a_request_context(db):
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "/static/inviteflow/app.css" in page


def test_favicon_is_served_by_us(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/static/inviteflow/favicon.svg", 301)]
    assert b'xmlns="http://www.w3.org/2000/svg"' in b"".join(response.streaming_content)


def test_every_page_names_the_favicon(manager_client):
    page = manager_client.get("/w/acme/campaigns/").content.decode()
    assert '<link rel="icon" href="/static/inviteflow/favicon.svg"' in page
