"""The follow-up of interest requests by the mutuelle agents: status workflow and assignment.

Kept apart from ``requests.py`` (creation of a request). Every status change — the admin's
change form, its bulk actions, the retention's closure — goes through ``status_apply``, which
checks the move against ``mutuelle.enums.STATUS_TRANSITIONS`` and dates it. Each function saves
object by object so that django-simple-history records who did what.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..enums import CLOSED_STATUSES, RequestStatus, check_status_change
from ..models import FollowUpNote
from ..permissions import mutuelle_agents

# Moving a request to one of these means the agent reached the person: its last contact is dated.
CONTACT_STATUSES = (RequestStatus.CONTACTED, RequestStatus.APPOINTMENT, RequestStatus.MEMBERSHIP)


def status_apply(interest_request, *, previous, status, now, erasure=False):
    """Put ``interest_request`` in ``status`` coming from ``previous`` (None: not saved yet), unsaved.

    Raises a ValidationError if the workflow does not allow the move. A closed status dates the
    closure (kept when moving from one closed status to another); reopening clears it. A contact
    status dates the last contact. ``erasure``: the move to « anonymisée », by the erasure only.
    """
    check_status_change(previous, status, erasure=erasure)
    interest_request.status = status
    if status in CLOSED_STATUSES:
        if previous not in CLOSED_STATUSES or interest_request.closed_at is None:
            interest_request.closed_at = now
    else:
        interest_request.closed_at = None
    if status != previous and status in CONTACT_STATUSES:
        interest_request.last_contact_at = now


@transaction.atomic
def request_set_status(*, interest_request, status, user, reason=""):
    """Move ``interest_request`` to ``status`` and save it; returns whether the status changed.

    The previous status is the one in the database (the row is locked until the commit), not
    ``interest_request.status``, which a form may already have changed. Raises a ValidationError
    (nothing saved) if the workflow does not allow the move.
    """
    previous = interest_request.status_in_database(lock=True)
    status_apply(interest_request, previous=previous, status=status, now=timezone.now())
    interest_request._history_user = user
    if reason:
        interest_request._change_reason = reason
    interest_request.save()
    return status != previous


# The statuses a request leaves for « rendez-vous fixé » when the person books a permanence slot:
# a request still waiting for the agents. One closed, already at that step or further on (adhesion)
# is left as the agents put it.
WAITING_STATUSES = (RequestStatus.NEW, RequestStatus.TO_CALL_BACK, RequestStatus.CONTACTED)


@transaction.atomic
def request_appointment_booked(*, interest_request, slot_label, user=None):
    """The request linked to an appointment just booked moves to « rendez-vous fixé » if it was waiting.

    Returns whether it moved. The history says why (``slot_label``: « mardi 8 décembre à 9 h 20 »)
    and who booked (``user``: the agent, None for the person on the website).
    """
    if interest_request.status_in_database(lock=True) not in WAITING_STATUSES:
        return False
    return request_set_status(
        interest_request=interest_request,
        status=RequestStatus.APPOINTMENT,
        user=user,
        reason=f"Rendez-vous pris à la permanence du {slot_label}",
    )


def check_assignee(agent):
    """Raise a ValidationError unless ``agent`` (None: nobody) may be given requests: an active
    member of the « Mutuelle » group (``mutuelle.permissions.mutuelle_agents``)."""
    if agent is not None and not mutuelle_agents().filter(pk=agent.pk).exists():
        raise ValidationError(
            "Une demande ne peut être confiée qu’à un membre de l’équipe Mutuelle.", code="assignee_not_in_team"
        )


@transaction.atomic
def request_assign(*, interest_request, agent, user, reason=""):
    """Give ``interest_request`` to ``agent`` (None to unassign) and save it; returns whether it changed.

    Raises a ValidationError (nothing saved) if ``agent`` is not in the « Mutuelle » group.
    """
    if interest_request.assigned_to_id == (agent.pk if agent else None):
        return False
    check_assignee(agent)
    interest_request.assigned_to = agent
    interest_request._history_user = user
    if reason:
        interest_request._change_reason = reason
    interest_request.save(update_fields=["assigned_to", "updated_at"])
    return True


@transaction.atomic
def note_add(*, interest_request, author, text, contact_at=None, now=None):
    """Add a follow-up note by ``author`` to ``interest_request``; returns the note.

    ``contact_at`` (« Contact noté »): the note reports a contact with the person at that moment
    (not in the future). The request's last contact is then dated, if it is later than the one
    known; a request still « nouvelle » becomes « contactée » (someone has dealt with it) through
    the workflow. Nothing is added to an anonymised request.
    """
    now = now or timezone.now()
    if interest_request.anonymised_at is not None:
        raise ValidationError("Cette demande est anonymisée : on ne lui ajoute plus de note.", code="anonymised")
    if contact_at is not None and contact_at > now:
        raise ValidationError({"contact_at": "La date du contact ne peut pas être dans le futur."})
    note = FollowUpNote(
        interest_request=interest_request, author=author, text=text, contact_at=contact_at, created_at=now
    )
    note._history_user = author
    note.save()
    if contact_at is not None:
        previous = interest_request.status_in_database(lock=True)
        last_contact_at = interest_request.last_contact_at
        if previous == RequestStatus.NEW:
            status_apply(interest_request, previous=previous, status=RequestStatus.CONTACTED, now=now)
        # The contact's own date (status_apply dated it now), unless a later one is already known.
        interest_request.last_contact_at = max(filter(None, (last_contact_at, contact_at)))
        interest_request._history_user = author
        interest_request._change_reason = "Contact noté"
        interest_request.save()
    return note
