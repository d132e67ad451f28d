from django.apps import AppConfig


class MutuelleConfig(AppConfig):
    name = "mutuelle"
    verbose_name = "Mutuelle communale"

    def ready(self):
        from core.cache import register_content_models

        from . import dashboard  # noqa: F401 (its blocks join the admin's first page)
        from .models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer

        # The offer and the CSS scale are public content: a change renews the cached pages that show
        # the « mutuelle » section (core/cache.py). The interest requests and their notes hold personal
        # data and are on no page.
        register_content_models(Offer, Formula, FormulaPrice, CssScale, CssCeiling, CssContribution, section="mutuelle")
