from django.db import models


class ActionKind(models.TextChoices):
    PROGRAMME = "programme", "Programme permanent"
    CAMPAIGN = "campagne", "Campagne annuelle"
    WORKSHOPS = "ateliers", "Cycle d’ateliers"
    SERVICE = "service", "Lieu ou service"
    SCHEME = "dispositif", "Dispositif"


class ActionStatus(models.TextChoices):
    ONGOING = "en_cours", "En cours"
    UPCOMING = "a_venir", "À venir"
    SUSPENDED = "suspendue", "Suspendue"
    FINISHED = "terminee", "Terminée"


class Month(models.IntegerChoices):
    JANUARY = 1, "janvier"
    FEBRUARY = 2, "février"
    MARCH = 3, "mars"
    APRIL = 4, "avril"
    MAY = 5, "mai"
    JUNE = 6, "juin"
    JULY = 7, "juillet"
    AUGUST = 8, "août"
    SEPTEMBER = 9, "septembre"
    OCTOBER = 10, "octobre"
    NOVEMBER = 11, "novembre"
    DECEMBER = 12, "décembre"


class ProgressStatus(models.TextChoices):
    """Where an action stands against its plan, as its editors judge it (the results pages count them)."""

    UPCOMING = "a_venir", "À venir"
    ONGOING = "en_cours", "En cours"
    AHEAD = "en_avance", "En avance"
    LATE = "en_retard", "En retard"
    DONE = "realisee", "Réalisée"
    ABANDONED = "abandonnee", "Abandonnée"


class IndicatorDirection(models.TextChoices):
    """Whether an indicator gets better as it rises (people screened) or as it falls (waiting time)."""

    UP = "hausse", "Plus c’est haut, mieux c’est"
    DOWN = "baisse", "Plus c’est bas, mieux c’est"


# The stages the results pages group as « dans les temps »: neither late, nor done, nor abandoned.
ON_TRACK = (ProgressStatus.UPCOMING, ProgressStatus.ONGOING, ProgressStatus.AHEAD)
