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
    ON_PORTAL = "sur_le_site", "Inscription sur ce site"


class RegistrationStatus(models.TextChoices):
    """Where a person's registration stands; changes only along REGISTRATION_TRANSITIONS."""

    CONFIRMED = "confirmee", "Inscription confirmée"
    WAITING = "attente", "Sur liste d’attente"
    CANCELLED = "annulee", "Annulée"


# The only changes a registration's status may go through (events.registrations checks them).
REGISTRATION_TRANSITIONS = {
    RegistrationStatus.WAITING: {RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED},
    RegistrationStatus.CONFIRMED: {RegistrationStatus.CANCELLED},
    RegistrationStatus.CANCELLED: set(),
}


class RegistrationSource(models.TextChoices):
    WEBSITE = "site", "Sur le site"
    STAFF = "agent", "Prise par un agent (téléphone, accueil)"


class RegistrationNeed(models.TextChoices):
    """What the organisers prepare for; each maps to a boolean field ``needs_<value>`` of Registration."""

    WHEELCHAIR = "fauteuil", "Accès en fauteuil roulant"
    SIGN_LANGUAGE = "lsf", "Interprète en langue des signes (LSF)"
    CARER = "accompagnant", "Venir avec un accompagnant (aidant, auxiliaire de vie)"


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
