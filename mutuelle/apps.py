from django.apps import AppConfig


class MutuelleConfig(AppConfig):
    name = "mutuelle"
    verbose_name = "Mutuelle communale"

    def ready(self):
        from core.cache import register_content_models

        from . import (
            dashboard,  # noqa: F401 (its blocks join the admin's first page)
            signals,  # noqa: F401 (a permanence that changes tells its appointments)
        )
        from .models import CssCeiling, CssContribution, CssScale, Formula, FormulaPrice, Offer, Permanence

        # The offer and the CSS scale are public content: a change renews the cached pages that show
        # the « mutuelle » section (core/cache.py). The interest requests, their notes and the
        # appointments hold personal data and are on no page.
        register_content_models(Offer, Formula, FormulaPrice, CssScale, CssCeiling, CssContribution, section="mutuelle")
        # How a permanence takes appointments shows with the permanence (the event's page, the lists of
        # permanences on /mutuelle/ and /mutuelle/rendez-vous/): the « events » section, as the slots left.
        register_content_models(Permanence, section="events")

        from core.page_extras import register_page_extra
        from events.views import EVENT_PAGE

        from .services.appointments import event_page_extra

        # A permanence's page in the agenda says how many appointment slots are left.
        register_page_extra(EVENT_PAGE, event_page_extra)
