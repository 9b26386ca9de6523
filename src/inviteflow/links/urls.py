from django.urls import path

from inviteflow.links import views

urlpatterns = [
    path("provisioning/", views.provisioning_panel, name="link_provisioning"),
    path("retry-failed/", views.retry_failed, name="link_retry_failed"),
    path("resume/", views.resume, name="link_resume"),
    path("<int:link_id>/qr.svg", views.link_qr, name="link_qr"),
]
