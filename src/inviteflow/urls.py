from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inviteflow.accounts import views as account_views
from inviteflow.api.urls import api
from inviteflow.core import views as core_views
from inviteflow.tiktok import urls as tiktok_urls

workspace_patterns = [
    path("settings/", account_views.workspace_settings, name="workspace_settings"),
    path("settings/invite/", account_views.invite, name="invite"),
    path("settings/api-keys/", account_views.create_api_key, name="create_api_key"),
    path(
        "settings/api-keys/<int:key_id>/revoke/",
        account_views.revoke_api_key,
        name="revoke_api_key",
    ),
    path("settings/tiktok/", include(tiktok_urls.workspace_urlpatterns)),
    path("creators/", include("inviteflow.creators.urls")),
    path("campaigns/", include("inviteflow.campaigns.urls")),
    path("outreach/", include("inviteflow.outreach.urls")),
    path("posts/", include("inviteflow.posts.urls")),
    path("compliance/", include("inviteflow.compliance.urls")),
    path("insights/", include("inviteflow.insights.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("c/", include("inviteflow.outreach.public_urls")),
    path("webhooks/", include("inviteflow.posts.public_urls")),
    path("tiktok/", include(tiktok_urls.urlpatterns)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
