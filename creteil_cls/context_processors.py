from django.conf import settings

from core.phones import tel_uri


def site(request):
    return {
        "SITE_NAME": "Contrat local de santé de Créteil",
        "CCAS_PHONE": settings.CCAS_PHONE,
        "CCAS_PHONE_LINK": tel_uri(settings.CCAS_PHONE),
        "SITE_URL": settings.SITE_URL,
    }
