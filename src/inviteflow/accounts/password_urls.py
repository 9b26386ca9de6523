"""Password reset by email: Django's views, our templates, links built on SITE_URL."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from inviteflow.accounts.views import PasswordResetConfirm

T = "accounts/password_reset"

urlpatterns = [
    path(
        "",
        auth_views.PasswordResetView.as_view(
            template_name=f"{T}_form.html",
            email_template_name=f"{T}_email.txt",
            html_email_template_name=f"{T}_email.html",
            subject_template_name=f"{T}_subject.txt",
            extra_email_context={"site_url": settings.SITE_URL},
        ),
        name="password_reset",
    ),
    path(
        "sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=f"{T}_done.html"),
        name="password_reset_done",
    ),
    path("<uidb64>/<token>/", PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path(
        "done/",
        auth_views.PasswordResetCompleteView.as_view(template_name=f"{T}_complete.html"),
        name="password_reset_complete",
    ),
]
