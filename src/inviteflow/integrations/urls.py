"""Settings → Webhooks, mounted at /w/<slug>/settings/webhooks/."""

from django.urls import path

from inviteflow.integrations import views

urlpatterns = [
    path("", views.endpoint_list, name="webhook_endpoints"),
    path("new/", views.endpoint_create, name="webhook_endpoint_new"),
    path("<int:endpoint_id>/", views.endpoint_detail, name="webhook_endpoint"),
    path("<int:endpoint_id>/pause/", views.endpoint_pause, name="webhook_endpoint_pause"),
    path("<int:endpoint_id>/resume/", views.endpoint_resume, name="webhook_endpoint_resume"),
    path("<int:endpoint_id>/rotate/", views.endpoint_rotate, name="webhook_endpoint_rotate"),
    path("<int:endpoint_id>/test/", views.endpoint_test, name="webhook_endpoint_test"),
    path("<int:endpoint_id>/delete/", views.endpoint_delete, name="webhook_endpoint_delete"),
    path(
        "<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="webhook_delivery_redeliver",
    ),
]
