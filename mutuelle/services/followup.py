"""The follow-up of interest requests by the mutuelle agents: status workflow and assignment.

Kept apart from ``requests.py`` (creation of a request). Every status change — the admin's
change form, its bulk actions, the retention's closure — goes through ``status_apply``, which
checks the move against ``mutuelle.enums.STATUS_TRANSITIONS`` and dates it. Each function saves
object by object so that django-simple-history records who did what.
"""

from django.db import transaction
from django.utils import timezone

from ..enums import CLOSED_STATUSES, RequestStatus, check_status_change

# Moving a request to one of these means the agent reached the person: its last contact is dated.
CONTACT_STATUSES = (RequestStatus.CONTACTED, RequestStatus.APPOINTMENT, RequestStatus.MEMBERSHIP)


def status_apply(interest_request, *, previous, status, now):
    """Put ``interest_request`` in ``status`` coming from ``previous`` (None: not saved yet), unsaved.

    Raises a ValidationError if the workflow does not allow the move. A closed status dates the
    closure (kept when moving from one closed status to another); reopening clears it. A contact
    status dates the last contact.
    """
    check_status_change(previous, status)
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


@transaction.atomic
def request_assign(*, interest_request, agent, user, reason=""):
    """Give ``interest_request`` to ``agent`` (None to unassign) and save it; returns whether it changed."""
    if interest_request.assigned_to_id == (agent.pk if agent else None):
        return False
    interest_request.assigned_to = agent
    interest_request._history_user = user
    if reason:
        interest_request._change_reason = reason
    interest_request.save(update_fields=["assigned_to", "updated_at"])
    return True
