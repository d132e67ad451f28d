"""Staff accounts managed without a technician: who is staff, who uses two-factor authentication.

- ``users_with_account_overview``: the accounts with what the administrator's list shows (groups,
  two-factor status) in a bounded number of queries;
- ``user_staff_status_sync``: an account put in a staff group gets the staff status (it could not
  log into the admin otherwise), or is told why not;
- ``user_two_factor_reset``: a lost phone — the account's devices (authenticator apps, backup
  codes) are deleted, and the agent enrols a new phone at the next login.

The admin of the accounts (``staff/admin.py``) asks every question here.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .groups import STAFF_GROUPS

logger = logging.getLogger(__name__)

# The dedicated permission (created by the migration staff/0005), on the account model.
RESET_TWO_FACTOR_CODENAME = "reset_two_factor"
RESET_TWO_FACTOR_PERMISSION = f"{settings.AUTH_USER_MODEL.split('.')[0]}.{RESET_TWO_FACTOR_CODENAME}"

# The device models of django-otp that the project installs: an authenticator app, backup codes.
DEVICE_MODELS = (TOTPDevice, StaticDevice)


def users_with_account_overview(queryset):
    """``queryset`` with ``has_two_factor`` (a confirmed device) and the groups prefetched, by name."""
    confirmed = {model: model.objects.filter(user=OuterRef("pk"), confirmed=True) for model in DEVICE_MODELS}
    return queryset.annotate(
        has_two_factor=Exists(confirmed[TOTPDevice]) | Exists(confirmed[StaticDevice])
    ).prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


# Staff status from the groups ----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffStatusOutcome:
    """What ``user_staff_status_sync`` did: ``granted`` the status now, or ``refused`` with a ``reason``."""

    granted: bool = False
    reason: str = ""

    @property
    def refused(self):
        return bool(self.reason)


def staff_groups_of(user):
    """The names of the staff groups ``user`` is in (read from a prefetch when there is one)."""
    return sorted(group.name for group in user.groups.all() if group.name in STAFF_GROUPS)


def user_staff_status_sync(*, user):
    """Give the staff status to an account put in a staff group: the one place where it is decided.

    Without it, a member of « Rédaction » or « Mutuelle » cannot log into the admin, which is the
    point of the group. An inactive account is left as it is (it cannot log in anyway, and
    reactivating it is a decision of its own): the outcome says so. Leaving every group does not
    take the status away — an account may be staff for other reasons (a superuser, rights given
    one by one).
    """
    groups = staff_groups_of(user)
    if not groups or user.is_staff:
        return StaffStatusOutcome()
    names = " et ".join(f"« {name} »" for name in groups)
    if not user.is_active:
        return StaffStatusOutcome(
            reason=f"Le compte « {user.get_username()} » est dans le groupe {names} mais il est désactivé : "
            "il n’a pas reçu le statut d’équipe. Cochez « Actif » pour qu’il puisse se connecter."
        )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    logger.info("Statut d’équipe donné au compte n° %s (groupe %s)", user.pk, ", ".join(groups))
    return StaffStatusOutcome(granted=True)


# Two-factor authentication reset ---------------------------------------------------------------------


def can_reset_two_factor(actor, user):
    """Whether ``actor`` may delete the devices of ``user``: a superuser, or the dedicated permission.

    A superuser's devices only by another superuser: the permission is meant for the people who
    help the agents, not to weaken the accounts above them.
    """
    if not actor.is_active or not actor.is_staff:
        return False
    if actor.is_superuser:
        return True
    return actor.has_perm(RESET_TWO_FACTOR_PERMISSION) and not user.is_superuser


def two_factor_devices(user):
    """How many devices the account has, confirmed or not: authenticator apps, lists of backup codes."""
    return {
        "apps": TOTPDevice.objects.filter(user=user).count(),
        "backup_lists": StaticDevice.objects.filter(user=user).count(),
    }


@transaction.atomic
def user_two_factor_reset(*, user, actor):
    """Delete every device of ``user`` (apps, backup codes and their codes); returns how many were deleted.

    Any session the account verified with one of them is no longer verified (django-otp finds no
    device): the agent logs in again with the password, and enrols a new phone straight away if
    their role requires it (superusers, « Mutuelle »).
    """
    deleted = 0
    for model in DEVICE_MODELS:
        # A list of backup codes takes its codes along; only the devices are counted.
        _, per_model = model.objects.filter(user=user).delete()
        deleted += per_model.get(model._meta.label, 0)
    logger.info("Double authentification du compte n° %s réinitialisée par le compte n° %s", user.pk, actor.pk)
    return deleted
