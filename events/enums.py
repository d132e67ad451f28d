from django.db import models


class EventStatus(models.TextChoices):
    SCHEDULED = "programme", "Programmé"
    POSTPONED = "reporte", "Reporté"
    FULL = "complet", "Complet"
    CANCELLED = "annule", "Annulé"


class Registration(models.TextChoices):
    NONE = "aucune", "Sans inscription"
    RECOMMENDED = "conseillee", "Inscription conseillée"
    REQUIRED = "obligatoire", "Inscription obligatoire"


class AccessibilityNeed(models.TextChoices):
    """The five needs OpenAgenda uses; each maps to a boolean field ``serves_<value>`` of Place."""

    HEARING = "auditif", "Handicap auditif"
    VISUAL = "visuel", "Handicap visuel"
    PSYCHIC = "psychique", "Handicap psychique"
    MOTOR = "moteur", "Handicap moteur"
    INTELLECTUAL = "intellectuel", "Handicap intellectuel"


class Period(models.TextChoices):
    """The agenda's periods (``?periode=``); their days are set by ``events.periods.period_days``."""

    TODAY = "aujourdhui", "Aujourd’hui"
    WEEK = "semaine", "Cette semaine"
    WEEKEND = "week-end", "Ce week-end"
    MONTH = "mois", "Ce mois-ci"
    PAST = "passes", "Événements passés"
