"""Post attribution pages, mounted at /w/<slug>/posts/."""

from django.urls import path

from inviteflow.posts import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.campaign_posts, name="campaign_posts"),
    path(
        "campaigns/<int:campaign_id>/progress/", views.campaign_progress, name="campaign_progress"
    ),
    path("campaigns/<int:campaign_id>/sync/", views.campaign_sync, name="campaign_posts_sync"),
    path("<int:post_id>/count-decision/", views.count_decision, name="post_count_decision"),
]
