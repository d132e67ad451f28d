from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery of the portal; it imports no other app of the project (the apps use it)."""

    name = "core"
    verbose_name = "Portail du CLS : outils communs"

    def ready(self):
        from core.cache import register_content_models

        from .site_settings import SiteSettings

        # Every page shows the site's settings (header, footer): a change empties the page cache.
        register_content_models(SiteSettings)
