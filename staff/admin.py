"""The staff accounts in the admin, for an administrator without a technician.

Django's own admin of the accounts, replaced by a subclass of it (Django's documented way to
extend the ``User`` admin): the list shows each account's groups, staff status, two-factor status
and last login; putting an account in a staff group gives it the staff status (or says why not);
« Réinitialiser la double authentification » deletes the devices of an agent who lost their phone.
The rules are in ``staff/accounts.py``.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin import plural_fr

from .accounts import (
    can_reset_two_factor,
    two_factor_devices,
    user_staff_status_sync,
    user_two_factor_reset,
    users_with_account_overview,
)

User = get_user_model()


class TwoFactorFilter(admin.SimpleListFilter):
    title = "double authentification"
    parameter_name = "double_authentification"

    def lookups(self, request, model_admin):
        return [("oui", "Activée"), ("non", "Non activée")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(has_two_factor=True)
        if self.value() == "non":
            return queryset.filter(has_two_factor=False)
        return None


class StaffUserAdmin(UserAdmin):
    list_display = [
        "username",
        "full_name",
        "group_names",
        "is_staff",
        "two_factor",
        "last_login",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", TwoFactorFilter]
    ordering = ["username"]
    empty_value_display = "—"

    def get_queryset(self, request):
        return users_with_account_overview(super().get_queryset(request))

    # The list's columns ---------------------------------------------------------------------------

    @admin.display(description="nom", ordering="last_name")
    def full_name(self, user):
        return user.get_full_name() or "—"

    @admin.display(description="groupes")
    def group_names(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"

    @admin.display(description="double authentification", boolean=True, ordering="has_two_factor")
    def two_factor(self, user):
        return user.has_two_factor

    # Staff status from the groups -----------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        outcome = user_staff_status_sync(user=user)
        if outcome.granted:
            self.message_user(
                request,
                f"« {user.get_username()} » est dans un groupe de l’équipe : il a reçu le statut d’équipe "
                "et peut se connecter à l’administration.",
                messages.SUCCESS,
            )
        elif outcome.refused:
            self.message_user(request, outcome.reason, messages.WARNING)

    # Two-factor authentication reset --------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/double-authentification/reinitialiser/",
                self.admin_site.admin_view(self.reset_two_factor_view),
                name="{}_{}_reset_two_factor".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_reset_two_factor": user is not None and can_reset_two_factor(request.user, user),
            "has_two_factor": bool(user and user.has_two_factor),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def reset_two_factor_view(self, request, object_id):
        """A confirmation page, then the deletion of the account's devices (POST), journaled."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not can_reset_two_factor(request.user, user):
            raise PermissionDenied
        change_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[user.pk]
        )
        if request.method == "POST":
            deleted = user_two_factor_reset(user=user, actor=request.user)
            devices = plural_fr(deleted, "{count} appareil supprimé", "{count} appareils supprimés")
            self.log_change(request, user, f"Double authentification réinitialisée ({devices}).")
            if deleted:
                self.message_user(
                    request,
                    f"La double authentification de « {user.get_username()} » est réinitialisée ({devices}). "
                    "À sa prochaine connexion, après son mot de passe, il ou elle enregistrera son nouveau téléphone.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"« {user.get_username()} » n’avait aucun appareil de double authentification : rien à supprimer.",
                    messages.INFO,
                )
            return redirect(change_url)
        counts = two_factor_devices(user)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Réinitialiser la double authentification de « {user.get_username()} »",
            "subtitle": None,
            "opts": self.opts,
            "original": user,
            "has_view_permission": self.has_view_permission(request, user),
            "change_url": change_url,
            "apps_count": counts["apps"],
            "backup_lists_count": counts["backup_lists"],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/auth/user/reset_two_factor.html", context)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
