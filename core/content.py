"""Initial site settings, loaded by ``python manage.py load_cls_content``.

Only what the sources say: the CCAS Prévention-Santé service and its phone (seeds, FACTS.md), the
City as publisher and its mayor as publication director. The service's address and opening
hours, the publisher's address and the host are not known yet: left empty, the pages show
« à confirmer » and the editors fill them in the admin. Idempotent: an existing row is never
touched.
"""

from django.conf import settings

from core.history import CHANGE_REASON
from core.site_settings import SINGLETON_PK, SiteSettings

INITIAL_SETTINGS = {
    "city_name": "Ville de Créteil",
    "ccas_name": "Service Prévention-Santé du CCAS de Créteil",
    "ccas_phone": settings.CCAS_PHONE,
    "publisher_name": "Ville de Créteil et son centre communal d’action sociale (CCAS)",
}


def load_initial_content(*, today):
    """Create the site's settings if they do not exist yet; returns the command's summary line."""
    if SiteSettings.objects.filter(pk=SINGLETON_PK).exists():
        return [("Réglages du site", False, (0, 1))]
    site_settings = SiteSettings(**INITIAL_SETTINGS)
    site_settings.full_clean()
    site_settings._change_reason = CHANGE_REASON
    site_settings.save()
    return [("Réglages du site", False, (1, 0))]
