from django.urls import path

from inviteflow.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
]
