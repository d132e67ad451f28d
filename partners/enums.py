from django.db import models


class PartnerKind(models.TextChoices):
    INSTITUTION = "institution", "Institution"
    LOCAL_AUTHORITY = "collectivite", "Collectivité"
    HOSPITAL = "hopital", "Hôpital"
    HEALTH_PROFESSIONALS = "professionnels", "Professionnels de santé"
    UNIVERSITY = "universite", "Université et recherche"
    ASSOCIATION = "association", "Association"
    INSURER = "assureur", "Assureur"
    OTHER = "autre", "Autre"
