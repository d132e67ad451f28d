from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery of the portal; it imports no other app of the project (the apps use it)."""

    name = "core"
    verbose_name = "Portail du CLS : outils communs"
