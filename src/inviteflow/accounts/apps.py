from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "inviteflow.accounts"
    label = "accounts"
