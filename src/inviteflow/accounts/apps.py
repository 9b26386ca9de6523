from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "inviteflow.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from inviteflow.accounts import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit_login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit_login_failed")
