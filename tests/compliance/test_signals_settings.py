"""Settings → Compliance signals: the workspace's brand names, @handles and disclosure
keywords. Bad input names the field and changes nothing; viewers may look, not change."""

import pytest
from django.urls import reverse

from inviteflow.compliance import services
from inviteflow.compliance.models import DetectionSettings
from inviteflow.compliance.services import signals_of

pytestmark = pytest.mark.django_db
URL = reverse("compliance_signals", args=["acme"])
GOOD = {
    "brand_names": "Demo Brand\nAcme, Acme Co.",
    "brand_handles": "@DemoBrand @acme.official",
    "disclosure_keywords": "#ad, #Sponsored\npartner",
}


def test_the_defaults_are_the_workspace_name_slug_and_the_usual_keywords(viewer_client, workspace):
    page = viewer_client.get(URL).content.decode()
    assert "Acme" in page and "@acme" in page and "#sponsored" in page
    assert '<button class="primary">Save</button>' not in page  # viewers cannot change them


def test_a_manager_saves_them_and_the_next_scan_uses_them(manager_client, workspace):
    response = manager_client.post(URL, GOOD)
    assert response.status_code == 302 and response["Location"] == URL
    found = signals_of(workspace)
    assert found.names == ("Demo Brand", "Acme", "Acme Co.")
    assert found.handles == {"demobrand", "acme.official"}
    assert found.disclosures == {"ad", "sponsored", "partner"}
    assert "Demo Brand" in manager_client.get(URL).content.decode()


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("brand_handles", "@good @bad!handle", "not TikTok handles: @bad!handle"),
        ("disclosure_keywords", "#ad #spon-sored", "not hashtags: #spon-sored"),
        ("brand_names", "x" * 101, "longer than 100 characters"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    manager_client, workspace, field, value, says
):
    services.save_signals(workspace, signals_of(workspace))
    before = list(DetectionSettings.objects.values())
    response = manager_client.post(URL, {**GOOD, field: value})
    assert response.status_code == 200
    assert says in str(response.context["form"].errors[field])
    assert list(DetectionSettings.objects.values()) == before


def test_viewers_and_outsiders_change_nothing(viewer_client, outsider_client, workspace):
    assert viewer_client.post(URL, GOOD).status_code == 403
    assert outsider_client.get(URL).status_code == 404
    assert outsider_client.post(URL, GOOD).status_code == 404
    assert not DetectionSettings.objects.exists()
