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

        # The page cache's sections (core/cache.py). The glossary is shown on its page and marks the
        # editors' texts of the detail pages (core/glossary.py): the pages that use it declare it.
        register_content_models(GlossaryTerm, section="glossary")
        # Every page shows the site's settings (header, footer): a change renews every cached page.
        register_content_models(SiteSettings, section="site")
        register_content_models(Synonym, section="search")  # a new synonym changes what the search finds

        # Every app is loaded when ready() runs: the searchable models are found by their base class.
        connect_search_signals()
