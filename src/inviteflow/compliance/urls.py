"""Compliance pages, mounted at /w/<slug>/compliance/."""

from django.urls import path

from inviteflow.compliance import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.campaign_compliance, name="compliance_campaign"),
    path("campaigns/<int:campaign_id>/summary/", views.campaign_summary, name="compliance_summary"),
    path("campaigns/<int:campaign_id>/scan/", views.scan_now, name="compliance_scan"),
    path(
        "posts/<int:post_id>/campaign-code/",
        views.send_campaign_code,
        name="compliance_campaign_code",
    ),
    path("posts/<int:post_id>/link-request/", views.link_request, name="compliance_link_request"),
    path("signals/", views.signals_settings, name="compliance_signals"),
]
