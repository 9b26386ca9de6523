from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inviteflow.accounts import views as account_views
from inviteflow.api.urls import api
from inviteflow.core import views as core_views
from inviteflow.overview import views as overview_views
from inviteflow.tiktok import urls as tiktok_urls

workspace_patterns = [
    path("", overview_views.overview, name="overview"),
    path("settings/", account_views.workspace_settings, name="workspace_settings"),
    path("settings/invite/", account_views.invite, name="invite"),
    path("settings/api-keys/", account_views.create_api_key, name="create_api_key"),
    path(
        "settings/api-keys/<int:key_id>/revoke/",
        account_views.revoke_api_key,
        name="revoke_api_key",
    ),
    path(
        "settings/members/<int:member_id>/remove/",
        account_views.remove_member,
        name="remove_member",
    ),
    path(
        "settings/members/<int:member_id>/unlock/",
        account_views.unlock_member,
        name="unlock_member",
    ),
    path("settings/security-log/", account_views.security_log, name="security_log"),
    path("settings/tiktok/", include(tiktok_urls.workspace_urlpatterns)),
    path("settings/webhooks/", include("inviteflow.integrations.urls")),
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
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.prometheus_metrics, name="metrics"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", include("inviteflow.accounts.password_urls")),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("c/", include("inviteflow.outreach.public_urls")),
    path("r/", include("inviteflow.insights.public_urls")),
    path("webhooks/", include("inviteflow.posts.public_urls")),
    path("tiktok/", include(tiktok_urls.urlpatterns)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
