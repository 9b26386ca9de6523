"""Insights pages, mounted at /w/<slug>/insights/."""

from django.urls import path

from inviteflow.insights import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.campaign_report, name="campaign_report"),
    path("campaigns/<int:campaign_id>/refresh/", views.refresh, name="campaign_insights_refresh"),
    path("campaigns/<int:campaign_id>/report.csv", views.export_csv, name="campaign_report_csv"),
    path("campaigns/<int:campaign_id>/report.xlsx", views.export_xlsx, name="campaign_report_xlsx"),
    path("campaigns/<int:campaign_id>/share/", views.share, name="campaign_report_share"),
    path(
        "campaigns/<int:campaign_id>/share/<int:link_id>/revoke/",
        views.revoke_link,
        name="campaign_report_revoke",
    ),
    path("posts/<int:post_id>/", views.post_insights, name="post_insights"),
]
