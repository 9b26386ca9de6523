from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "inviteflow.posts"
    label = "posts"
    verbose_name = "Post attribution"
