from django.urls import path

from inviteflow.creators import views

urlpatterns = [
    path("", views.creator_list, name="creator_list"),
]
