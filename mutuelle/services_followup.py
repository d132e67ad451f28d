"""The follow-up of interest requests by the mutuelle agents: status workflow and assignment.

Kept apart from ``mutuelle/services.py`` (creation of a request from the public form). Each
function saves object by object so that django-simple-history records who did what.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from staff.groups import MUTUELLE_GROUP

from .enums import CLOSED_STATUSES, RequestStatus

# Moving a request to one of these means the agent reached the person: its last contact is dated.
CONTACT_STATUSES = (RequestStatus.CONTACTED, RequestStatus.APPOINTMENT, RequestStatus.MEMBERSHIP)


def mutuelle_agents():
    """Accounts a request may be assigned to: active members of « Mutuelle », and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=MUTUELLE_GROUP))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def request_set_status(*, request, status, user, reason=""):
    """Move ``request`` (an InterestRequest) to ``status`` and save it; returns whether the status changed.

    ``request.status`` is taken as the previous status (none for a request not saved yet).
    A closed status dates the closure (kept when moving from one closed status to another);
    reopening clears it. A contact status dates the last contact.
    """
    previous = request.status if request.pk else None
    changed = status != previous
    now = timezone.now()
    request.status = status
    if status in CLOSED_STATUSES:
        if previous not in CLOSED_STATUSES or request.closed_at is None:
            request.closed_at = now
    else:
        request.closed_at = None
    if changed and status in CONTACT_STATUSES:
        request.last_contact_at = now
    request._history_user = user
    if reason:
        request._change_reason = reason
    request.save()
    return changed


@transaction.atomic
def request_assign(*, request, agent, user, reason=""):
    """Give ``request`` to ``agent`` (None to unassign) and save it; returns whether it changed."""
    if request.assigned_to_id == (agent.pk if agent else None):
        return False
    request.assigned_to = agent
    request._history_user = user
    if reason:
        request._change_reason = reason
    request.save(update_fields=["assigned_to", "updated_at"])
    return True
