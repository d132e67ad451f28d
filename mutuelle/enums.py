from django.db import models


class RequestStatus(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    TO_CALL_BACK = "a_rappeler", "À rappeler"
    CONTACTED = "contactee", "Contactée"
    APPOINTMENT = "rendez_vous", "Rendez-vous fixé"
    MEMBERSHIP = "adhesion", "Adhésion"
    DROPPED = "sans_suite", "Sans suite"
    DUPLICATE = "doublon", "Doublon"


# A request in one of these states is closed: the retention period starts from its last contact.
CLOSED_STATUSES = (RequestStatus.MEMBERSHIP, RequestStatus.DROPPED, RequestStatus.DUPLICATE)


class RequestSource(models.TextChoices):
    WEBSITE = "site", "Formulaire du site"
    PHONE = "telephone", "Appel téléphonique"
    COUNTER = "accueil", "Accueil du CCAS"


class CurrentCover(models.TextChoices):
    NONE = "aucune", "Aucune complémentaire santé"
    INDIVIDUAL = "individuelle", "Une mutuelle individuelle"
    EMPLOYER = "employeur", "La mutuelle de mon employeur"
    CSS = "css", "La complémentaire santé solidaire (CSS)"
    OTHER = "autre", "Autre / je ne sais pas"


class Situation(models.TextChoices):
    EMPLOYED = "salarie", "Salarié(e)"
    SELF_EMPLOYED = "independant", "Travailleur indépendant"
    JOBSEEKER = "demandeur_emploi", "Demandeur d’emploi"
    RETIRED = "retraite", "Retraité(e)"
    STUDENT = "etudiant", "Étudiant(e)"
    OTHER = "autre", "Autre situation"


class ContactMethod(models.TextChoices):
    PHONE = "telephone", "Par téléphone"
    EMAIL = "courriel", "Par courriel"


class ContactTime(models.TextChoices):
    ANY = "indifferent", "Peu importe"
    MORNING = "matin", "Le matin (9 h – 12 h)"
    AFTERNOON = "apres_midi", "L’après-midi (14 h – 17 h)"
