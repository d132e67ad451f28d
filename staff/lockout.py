"""django-axes behind the reverse proxy: whose address counts, the French lockout page, its admin.

After ``AXES_FAILURE_LIMIT`` failed logins for one username from one address, that pair is
locked for ``AXES_COOLOFF_TIME`` (settings; docs/comptes.md).
"""

import datetime

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def client_ip_address(request):
    """The client's address, from the header the reverse proxy sets (as for the rate limits).

    django-axes asks django-ipware, which is not installed, or this callable: both read the same
    ``DJANGO_RATELIMIT_IP_META_KEY`` so that one setting describes the proxy. A list of addresses
    (``X-Forwarded-For``) gives its last one, the one our own proxy added.
    """
    value = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[-1].strip() or None


def lockout_response(request, original_response=None, credentials=None):
    """The French lockout page (429): until when, and whom to call."""
    cool_off = get_cool_off(request)
    # The lockout lifts when the last counted failure of this username from this address is
    # older than the cool-off (failures during the lockout are not counted: the time holds).
    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    retry_at = (last_failure or timezone.now()) + cool_off
    context = {
        "title": "Connexion bloquée",
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "site_url": "/",
        "retry_at": retry_at,
        "cool_off_minutes": int(cool_off.total_seconds() // 60),
        "failure_limit": get_failure_limit(request, credentials),
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# The administrator's dashboard lists the lockouts of the last days (staff/dashboard.py).
RECENT_LOCKOUT_DAYS = 7


def recent_lockouts(now=None):
    """The username and address pairs locked out (``AXES_FAILURE_LIMIT`` failures reached) whose
    failures started in the last ``RECENT_LOCKOUT_DAYS`` days; a successful login deletes the pair."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - datetime.timedelta(days=RECENT_LOCKOUT_DAYS),
    )


class RecentLockoutFilter(admin.SimpleListFilter):
    title = "blocages récents"
    parameter_name = "blocage"
    RECENT = "recent"

    def lookups(self, request, model_admin):
        return [(self.RECENT, f"Bloqués, dans les {RECENT_LOCKOUT_DAYS} derniers jours")]

    def queryset(self, request, queryset):
        if self.value() == self.RECENT:
            return queryset.filter(pk__in=recent_lockouts().values("pk"))
        return None


def register_lockout_admin(site):
    """Login attempts and logins in the admin, for superusers only (addresses and usernames)."""

    class SuperuserOnlyMixin:
        def has_module_permission(self, request):
            return request.user.is_active and request.user.is_superuser

        def has_view_permission(self, request, obj=None):
            return request.user.is_active and request.user.is_superuser

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            # Deleting an attempt lifts a lockout before its cool-off (as ``axes_reset`` does).
            return request.user.is_active and request.user.is_superuser

    class LockoutAttemptAdmin(SuperuserOnlyMixin, AccessAttemptAdmin):
        list_filter = [RecentLockoutFilter, *AccessAttemptAdmin.list_filter]

    class LoginLogAdmin(SuperuserOnlyMixin, AccessLogAdmin):
        def has_delete_permission(self, request, obj=None):
            return False

    site.register(AccessAttempt, LockoutAttemptAdmin)
    site.register(AccessLog, LoginLogAdmin)
