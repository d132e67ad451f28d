"""Who may see and act on the applicants' personal data: the one home of these checks.

The interest requests are seen by the « Mutuelle » group (``staff.groups.MUTUELLE_GROUP``) and
superusers only: a Django permission alone is not enough, the group check comes on top of it,
so that a permission given by mistake to another group opens nothing. The admin of the
requests (``mutuelle/admin/requests.py``) asks every question here.
"""

from django.contrib.auth import get_user_model

from staff.groups import MUTUELLE_GROUP, in_mutuelle_group

EXPORT_PERMISSION = "mutuelle.export_interestrequest"
ERASE_PERMISSION = "mutuelle.erase_interestrequest"


def is_mutuelle_agent(user):
    """A superuser, or an active member of the « Mutuelle » group (remembered for the request)."""
    if not user.is_active:
        return False
    return user.is_superuser or in_mutuelle_group(user)


def mutuelle_agents():
    """Accounts a request may be assigned to: the active members of « Mutuelle » (a superuser
    outside the group sees the requests but does not work the queue)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MUTUELLE_GROUP)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_export_personal_data(user):
    """The export of requests (CSV, XLSX) and of everything held on one person (right of access)."""
    return is_mutuelle_agent(user) and user.has_perm(EXPORT_PERMISSION)


def can_erase_personal_data(user):
    """The erasure of one person's data at their request (right to erasure)."""
    return is_mutuelle_agent(user) and user.has_perm(ERASE_PERMISSION)
