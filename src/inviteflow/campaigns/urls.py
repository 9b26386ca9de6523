from django.urls import include, path

from inviteflow.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/links/", include("inviteflow.links.urls")),
    path("<int:campaign_id>/roster/add/", views.roster_add, name="roster_add"),
    path(
        "<int:campaign_id>/roster/<int:creator_id>/remove/",
        views.roster_remove,
        name="roster_remove",
    ),
    path(
        "<int:campaign_id>/roster/<int:creator_id>/override/",
        views.roster_override,
        name="roster_override",
    ),
]
