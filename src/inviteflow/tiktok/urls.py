from django.urls import path

from inviteflow.tiktok import views

workspace_urlpatterns = [
    path("", views.tiktok_settings, name="tiktok_settings"),
    path("token/", views.connect_token, name="tiktok_connect_token"),
    path("oauth/", views.start_oauth, name="tiktok_start_oauth"),
    path("oauth/account/", views.choose_account, name="tiktok_choose_account"),
    path("test/", views.test_connection, name="tiktok_test_connection"),
    path("diagnostics/", views.run_diagnostics, name="tiktok_run_diagnostics"),
    path("disconnect/", views.disconnect, name="tiktok_disconnect"),
]

urlpatterns = [
    path("oauth/callback/", views.oauth_callback, name="tiktok_oauth_callback"),
]
