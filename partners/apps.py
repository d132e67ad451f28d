from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires"

    def ready(self):
        from core.cache import register_content_models

        from .models import Partner

        # The public content: a change renews the cached pages that show the « partners » section (core/cache.py).
        register_content_models(Partner, section="partners")

        from core.opendata import register_datasets

        from .opendata import PARTNERS

        # Published as open data: /donnees/ and /api/ (core/opendata.py).
        register_datasets(PARTNERS)
