from django.core.exceptions import ValidationError
from django.db import models


class RequestStatus(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    TO_CALL_BACK = "a_rappeler", "À rappeler"
    CONTACTED = "contactee", "Contactée"
    APPOINTMENT = "rendez_vous", "Rendez-vous fixé"
    MEMBERSHIP = "adhesion", "Adhésion"
    DROPPED = "sans_suite", "Sans suite"
    DUPLICATE = "doublon", "Doublon"
    ANONYMISED = "anonymisee", "Anonymisée"

    @property
    def next_statuses(self):
        """The statuses a request in this one may move to (the table below), in the workflow's order."""
        return STATUS_TRANSITIONS[self]


# A request in one of these states is closed: the retention period starts from its last contact.
CLOSED_STATUSES = (RequestStatus.MEMBERSHIP, RequestStatus.DROPPED, RequestStatus.DUPLICATE, RequestStatus.ANONYMISED)
# Where the erasure of a person's data on their request puts the request, from any status: it
# leaves the queue for good and is still counted. Only ``services.retention.request_anonymise``
# moves a request there (``erasure=True`` below): no agent picks it from a list, no bulk action.
ERASED_STATUS = RequestStatus.ANONYMISED

# The workflow: from each status, the statuses a request may move to (pretalx's
# ``valid_next_states``). Checked in one place, ``check_status_change`` below, which the
# follow-up service (admin form, bulk actions, retention) and ``InterestRequest.clean()`` call.
# - « Nouvelle » means that nobody has dealt with the request yet: nothing goes back to it.
# - An open request may move to any other open status, or be closed (even straight from
#   « nouvelle »: a single call may settle everything).
# - A closed request is reopened as « à rappeler » (the person calls again), or its closure is
#   corrected (« sans suite » that was a « doublon »…); it is never put back to « contactée » or
#   « rendez-vous fixé » without being reopened first.
# A request created by an agent (phone, counter) may start in any status.
STATUS_TRANSITIONS = {
    RequestStatus.NEW: (
        RequestStatus.TO_CALL_BACK,
        RequestStatus.CONTACTED,
        RequestStatus.APPOINTMENT,
        RequestStatus.MEMBERSHIP,
        RequestStatus.DROPPED,
        RequestStatus.DUPLICATE,
    ),
    RequestStatus.TO_CALL_BACK: (
        RequestStatus.CONTACTED,
        RequestStatus.APPOINTMENT,
        RequestStatus.MEMBERSHIP,
        RequestStatus.DROPPED,
        RequestStatus.DUPLICATE,
    ),
    RequestStatus.CONTACTED: (
        RequestStatus.TO_CALL_BACK,
        RequestStatus.APPOINTMENT,
        RequestStatus.MEMBERSHIP,
        RequestStatus.DROPPED,
        RequestStatus.DUPLICATE,
    ),
    RequestStatus.APPOINTMENT: (
        RequestStatus.TO_CALL_BACK,
        RequestStatus.CONTACTED,
        RequestStatus.MEMBERSHIP,
        RequestStatus.DROPPED,
        RequestStatus.DUPLICATE,
    ),
    RequestStatus.MEMBERSHIP: (RequestStatus.TO_CALL_BACK, RequestStatus.DROPPED, RequestStatus.DUPLICATE),
    RequestStatus.DROPPED: (RequestStatus.TO_CALL_BACK, RequestStatus.MEMBERSHIP, RequestStatus.DUPLICATE),
    RequestStatus.DUPLICATE: (RequestStatus.TO_CALL_BACK, RequestStatus.MEMBERSHIP, RequestStatus.DROPPED),
    # Anonymised: nothing left to work on, never reopened.
    RequestStatus.ANONYMISED: (),
}


def check_status_change(previous, status, *, erasure=False):
    """Raise a ValidationError (French) unless a request in ``previous`` may move to ``status``.

    ``previous`` is None for a request not saved yet (it may start in any status but
    « anonymisée »); staying in the same status is no move. « Anonymisée » is reached from any
    status by the erasure only (``erasure=True``). An unknown status is left to the field's own
    validation.
    """
    if status == ERASED_STATUS and previous != status:
        if erasure:
            return
        raise ValidationError(
            "Une demande passe à « Anonymisée » seulement par l’effacement des données de la personne.",
            code="status_transition",
        )
    if previous is None or previous == status or previous not in STATUS_TRANSITIONS or status not in RequestStatus:
        return
    previous = RequestStatus(previous)
    if status in STATUS_TRANSITIONS[previous]:
        return
    if not previous.next_statuses:
        raise ValidationError(
            "Une demande « %(previous)s » ne change plus de statut.",
            code="status_transition",
            params={"previous": previous.label},
        )
    raise ValidationError(
        "Une demande « %(previous)s » ne peut pas passer à « %(status)s ». Statuts possibles : %(allowed)s.",
        code="status_transition",
        params={
            "previous": previous.label,
            "status": RequestStatus(status).label,
            "allowed": ", ".join(f"« {next_status.label} »" for next_status in previous.next_statuses),
        },
    )


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


class AppointmentStatus(models.TextChoices):
    """Where an appointment at a permanence stands; changes only along APPOINTMENT_TRANSITIONS.

    « Pris » and « annulé » have the values of ``events.enums.RegistrationStatus``'s « confirmée »
    and « annulée »: the queryset of ``events.models.Booking`` (``confirmed()``, ``active()``) reads
    both kinds of booking alike.
    """

    BOOKED = "confirmee", "Rendez-vous pris"
    CAME = "venue", "Venu(e)"
    NO_SHOW = "absente", "Pas venu(e)"
    CANCELLED = "annulee", "Annulé"


# A slot is held by an appointment in any of these statuses (the day done, it stays taken).
APPOINTMENT_HOLDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CAME, AppointmentStatus.NO_SHOW)

# The only changes an appointment's status may go through (mutuelle.services.appointments checks them):
# the agent marks who came, and may correct a mark made by mistake; a cancelled slot is free for good.
APPOINTMENT_TRANSITIONS = {
    AppointmentStatus.BOOKED: {AppointmentStatus.CAME, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED},
    AppointmentStatus.CAME: {AppointmentStatus.NO_SHOW},
    AppointmentStatus.NO_SHOW: {AppointmentStatus.CAME},
    AppointmentStatus.CANCELLED: set(),
}
