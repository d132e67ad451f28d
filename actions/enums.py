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
