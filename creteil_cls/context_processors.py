from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "Contrat local de santé de Créteil",
        "CCAS_PHONE": "01 49 80 88 68",
        "CCAS_PHONE_LINK": "+33149808868",
        "SITE_URL": settings.SITE_URL,
    }
