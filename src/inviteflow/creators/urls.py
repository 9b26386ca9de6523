from django.urls import path

from inviteflow.creators import views

urlpatterns = [
    path("", views.creator_list, name="creator_list"),
    path("new/", views.creator_add, name="creator_add"),
    path("export/", views.creator_export, name="creator_export"),
    path("<int:creator_id>/edit/", views.creator_edit, name="creator_edit"),
    path("<int:creator_id>/delete/", views.creator_delete, name="creator_delete"),
    path("import/", views.import_upload, name="creator_import_upload"),
    path("imports/<int:import_id>/", views.import_detail, name="creator_import"),
    path("imports/<int:import_id>/confirm/", views.import_confirm, name="creator_import_confirm"),
]
