from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "inviteflow.posts"
    label = "posts"
    verbose_name = "Post attribution"

    def ready(self) -> None:
        """Lower apps learn what attribution adds: counted posts (link planning), and what
        to do once a workspace connects to TikTok (webhooks, a first sync)."""
        from inviteflow.links import services as link_services
        from inviteflow.posts import queries, services
        from inviteflow.tiktok import connections

        link_services.count_posts_with(queries.countable_by_creator)
        connections.on_connect(services.after_connect)
