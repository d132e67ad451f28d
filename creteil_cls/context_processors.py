from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "Contrat local de santé de Créteil",
        "CCAS_PHONE": settings.CCAS_PHONE,
        "CCAS_PHONE_LINK": settings.CCAS_PHONE_LINK,
        "SITE_URL": settings.SITE_URL,
    }
