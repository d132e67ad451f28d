from django.conf import settings

from core.phones import tel_uri
from core.site_settings import get_site_settings


def site(request):
    # The site's settings come from a shared cache: no query per page once cached (core/site_settings.py).
    site_settings = get_site_settings()
    return {
        "SITE_NAME": "Contrat local de santé de Créteil",
        "site_settings": site_settings,
        "CCAS_PHONE": site_settings.phone,
        "CCAS_PHONE_LINK": tel_uri(site_settings.phone),
        "SITE_URL": settings.SITE_URL,
    }
