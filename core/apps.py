from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery of the portal; it imports no other app of the project (the apps use it)."""

    name = "core"
    verbose_name = "Portail du CLS : outils communs"

    def ready(self):
        from core.cache import register_content_models
        from core.search import connect_search_signals

        from .glossary import GlossaryTerm
        from .site_settings import SiteSettings
        from .synonyms import Synonym

        # The glossary is shown on its page and marks the texts of many others (core/glossary.py).
        register_content_models(GlossaryTerm)
        # Every page shows the site's settings (header, footer): a change empties the page cache.
        register_content_models(SiteSettings)
        register_content_models(Synonym)  # a new synonym changes what the search pages show

        # Every app is loaded when ready() runs: the searchable models are found by their base class.
        connect_search_signals()
