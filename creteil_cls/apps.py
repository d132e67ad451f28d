from django.apps import AppConfig


class CreteilClsConfig(AppConfig):
    """The project's own pages (home, search, site plan, legal pages), sitemaps and initial content."""

    name = "creteil_cls"
    verbose_name = "Portail du CLS"
