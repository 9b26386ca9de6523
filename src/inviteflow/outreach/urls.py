"""Outreach pages, mounted at /w/<slug>/outreach/."""

from django.urls import path

from inviteflow.outreach import views

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/", views.outbox_message, name="outbox_message"),
    path("outbox/<int:message_id>/resend/", views.message_resend, name="outbox_message_resend"),
    path("templates/", views.template_list, name="email_templates"),
    path("templates/new/", views.template_create, name="email_template_create"),
    path("templates/<int:template_id>/", views.template_edit, name="email_template_edit"),
    path(
        "templates/<int:template_id>/preview/",
        views.template_preview,
        name="email_template_preview",
    ),
    path("campaigns/<int:campaign_id>/send/", views.send, name="outreach_send"),
    path("email-selected/", views.email_selected, name="outreach_email_selected"),
    path("batches/<int:batch_id>/", views.batch_detail, name="outreach_batch"),
    path("batches/<int:batch_id>/resend/", views.batch_resend, name="outreach_batch_resend"),
    path("creators/<int:creator_id>/page/", views.creator_page_admin, name="creator_page_admin"),
    path(
        "creators/<int:creator_id>/page/revoke/",
        views.creator_page_revoke,
        name="creator_page_revoke",
    ),
]
