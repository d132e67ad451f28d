"""Staff accounts: the admin site that requires two-factor authentication, and what guards it.

- ``CreteilClsAdminSite`` is the default admin site (installed by ``StaffAdminConfig`` in
  ``apps.py``): every admin page, whoever registered it, goes through ``has_permission``, which
  refuses an account that must use two-factor authentication (superusers and the « Mutuelle »
  group, who see personal data — and anyone who enrolled a phone of their own accord) until its
  session is verified by a token. Its login page hands over to django-two-factor-auth's wizard
  (password, then token), or to the setup wizard for an account that has no phone yet.
- ``two_factor_urls``: the wizards under ``/admin/compte/``, in French, in the admin's look.

django-axes behind the reverse proxy and its French lockout page are ``lockout.py``; the hard limit
of a session, ``sessions.py``; the group names, ``groups.py``.

Documentation for the agents and the administrator: docs/comptes.md.
"""

from functools import partial

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from two_factor import views as two_factor_views

from core.admin_params import checked_view

from .groups import in_mutuelle_group, in_registrations_group
from .journal import can_view_journal, journal_view
from .wording import FrenchWordingAdminMixin


def two_factor_required(user):
    """Whether ``user``'s role makes two-factor authentication mandatory (superusers, « Mutuelle »,
    « Inscriptions aux événements »: those who see people's personal data)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or in_mutuelle_group(user) or in_registrations_group(user)


def usable_devices(user):
    """The account's confirmed devices that can give a code now, whatever their names.

    django-two-factor-auth only looks for a device named « default » (``default_device``): a phone
    renamed in the OTP admin, or added under another name, would not be asked for, and a password
    alone would then skip the code. Here every confirmed device counts: an authenticator app
    always, backup codes while at least one is left (an empty list of codes can give nothing, and
    asking for one would lock the agent out instead of sending them to enrol a new phone).
    """
    if not user or not user.is_authenticated:
        return []
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, StaticDevice) or device.token_set.exists()
    ]


def primary_device(user):
    """The device the login wizard asks a code of: an authenticator app, « default » first, else the oldest."""
    apps = [device for device in usable_devices(user) if not isinstance(device, StaticDevice)]
    return min(apps, key=lambda device: (device.name != "default", device.pk), default=None)


def backup_device(user):
    """The account's backup codes, while at least one is left."""
    return next((device for device in usable_devices(user) if isinstance(device, StaticDevice)), None)


def has_device(user):
    """Whether ``user`` can give a code: then a password alone never opens the admin nor enrols a phone.

    An account whose lost phone was removed but whose backup codes are left gives one of them,
    then enrols the new phone; one left with no device at all enrols a phone after its password.
    """
    return bool(usable_devices(user))


def must_verify(user):
    """Whether ``user`` may reach the admin only with a session verified by a token.

    Mandatory for their role, or chosen: an editor who enrolled a phone uses it, otherwise a
    stolen password alone would still open their account.
    """
    cached = getattr(user, "_cls_must_verify", None)
    if cached is None:  # has_permission runs several times per admin page
        cached = two_factor_required(user) or has_device(user)
        user._cls_must_verify = cached
    return cached


def safe_next_url(request, default):
    url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


class CreteilClsAdminSite(admin.AdminSite):
    site_header = "CLS Créteil — administration"
    site_title = "CLS Créteil"
    index_title = "Contenus du portail et suivi"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Django's registration, every ModelAdmin given French titles that agree with its model's name.

        The mixin (wording.py) is added here rather than in each ``admin.py``: Django's own admins
        (accounts, groups) and those of the packages (two-factor devices, login attempts) are
        registered by their apps, and they too must not read « Ajout de utilisateur ».
        """
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, FrenchWordingAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (FrenchWordingAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        journal = self.admin_view(partial(journal_view, admin_site=self))
        return [path("journal/", journal, name="journal"), *super().get_urls()]

    def index(self, request, extra_context=None):
        """Django's list of models, under the dashboard of the person's roles (staff/dashboard.py)."""
        from .dashboard import build_dashboard  # the apps' blocks are registered once every app is ready

        return super().index(request, {"dashboard": build_dashboard(request), **(extra_context or {})})

    def each_context(self, request):
        context = super().each_context(request)
        context["can_view_journal"] = can_view_journal(request.user)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_changelist"):
            # A list needs the page's whole width at 1280 px beside its filters, or its columns
            # scroll sideways: no navigation sidebar there (the breadcrumbs lead to the dashboard,
            # which lists every model).
            context["is_nav_sidebar_enabled"] = False
        return context

    def has_permission(self, request):
        """Django's rule (active staff), plus a session verified by a token where one is needed."""
        if not super().has_permission(request):
            return False
        return request.user.is_verified() or not must_verify(request.user)

    def login(self, request, extra_context=None):
        """No password form of its own: the two-factor login wizard, or the setup of a first phone."""
        next_url = safe_next_url(request, reverse("admin:index", current_app=self.name))
        if request.method == "GET" and self.has_permission(request):
            return redirect(next_url)
        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and two_factor_required(user)
            and not has_device(user)
        ):
            # First login of an agent who must use two-factor authentication: enrol a phone.
            return redirect("two_factor:setup")
        return redirect_to_login(next_url, reverse("two_factor:login"))

    def admin_view(self, view, cacheable=False):
        """Every admin page behind a check of its query: what it could only answer with a 500 is a 400.

        See core/admin_params.py: a NUL byte, a date off the calendar, an impossible key; a
        lookup that no link of a list holds goes to Django's ``?e=1``. The admin's own login and
        permission check comes before a list's or an add form's rules.
        """
        return checked_view(view, partial(super().admin_view, cacheable=cacheable))


# The wizards, in French and in the admin's look --------------------------------------------------


class AdminLookMixin:
    """What admin/base_site.html needs to draw the admin's header around the wizards."""

    page_title = ""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context.update(
            site_header=admin.site.site_header,
            site_title=admin.site.site_title,
            site_url="/",
            title=self.page_title,
            has_permission=admin.site.has_permission(self.request),
        )
        return context


# The package's French calls a code a « jeton »: the agents' word is « code ».
TOKEN_LABELS = {
    "token": "Code à 6 chiffres de l’application",
    "backup": "Code de secours",
    "generator": "Code à 6 chiffres de l’application",
}


def relabel_token(form, step):
    for name in ("otp_token", "token"):
        if step in TOKEN_LABELS and name in form.fields:
            form.fields[name].label = TOKEN_LABELS[step]
            # A code is typed, not counted: no number spinner (and a leading 0 stays visible).
            form.fields[name].widget.input_type = "text"
    return form


class LoginView(AdminLookMixin, two_factor_views.LoginView):
    """The package's wizard, asking a code of any confirmed device of the account, whatever its name."""

    page_title = "Connexion"

    def has_token_step(self):
        return primary_device(self.get_user()) is not None and not self.remember_agent

    def has_backup_step(self):
        # Offered after the password when the account has backup codes but no app (its phone was
        # removed), and from the code step on request; never once the app's code was given. A code
        # just accepted stays a step of the wizard though it was the last one (it is used up).
        validated = self.storage.validated_step_data
        if self.TOKEN_STEP in validated or self.remember_agent:
            return False
        return self.BACKUP_STEP in validated or backup_device(self.get_user()) is not None

    condition_dict = {
        two_factor_views.LoginView.TOKEN_STEP: has_token_step,
        two_factor_views.LoginView.BACKUP_STEP: has_backup_step,
    }

    def get_device(self, step=None):
        # The package falls back on ``default_device``, which only knows a device named « default ».
        device = super().get_device(step)
        if device is None:
            self.device_cache = primary_device(self.get_user()) or backup_device(self.get_user())
        return self.device_cache

    def get_form(self, step=None, **kwargs):
        return relabel_token(super().get_form(step=step, **kwargs), step or self.steps.current)

    def get_success_url(self):
        user = self.request.user
        if two_factor_required(user) and primary_device(user) is None:
            # Logged in by a backup code, with no app left (a lost phone was removed), or without
            # any device at all: enrol the phone now. The session verified by the backup code
            # may; the next login would otherwise have only a password to ask.
            return reverse("two_factor:setup")
        return self.get_redirect_url() or reverse("admin:index")


class SetupView(AdminLookMixin, two_factor_views.SetupView):
    page_title = "Activer la double authentification"

    def get_form(self, step=None, **kwargs):
        return relabel_token(super().get_form(step=step, **kwargs), step or self.steps.current)

    def dispatch(self, request, *args, **kwargs):
        # Adding a phone to an account that already has a device (an app under any name, or backup
        # codes) needs a session verified by a code: a password alone must not let anyone enrol a
        # phone of their own on someone else's account.
        user = request.user
        if user.is_authenticated and not user.is_verified() and has_device(user):
            return redirect_to_login(request.get_full_path(), reverse("two_factor:login"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # As the package does for a device named « default »: an account with an app is set up.
        if primary_device(request.user) is not None:
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)


class SetupCompleteView(AdminLookMixin, two_factor_views.SetupCompleteView):
    page_title = "Double authentification activée"


class BackupTokensView(AdminLookMixin, two_factor_views.BackupTokensView):
    page_title = "Codes de secours"
    success_url = "two_factor:backup_tokens"


class ProfileView(AdminLookMixin, two_factor_views.ProfileView):
    page_title = "Double authentification"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = primary_device(self.request.user)
        context.update(
            default_device=device,
            default_device_type=type(device).__name__ if device else None,
            two_factor_required=two_factor_required(self.request.user),
        )
        return context


class DisableView(AdminLookMixin, two_factor_views.DisableView):
    page_title = "Désactiver la double authentification"

    def dispatch(self, request, *args, **kwargs):
        if two_factor_required(request.user):
            raise PermissionDenied("La double authentification est obligatoire pour ce compte.")
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("two_factor:profile")


two_factor_urls = (
    [
        path("connexion/", LoginView.as_view(), name="login"),
        path("double-authentification/", ProfileView.as_view(), name="profile"),
        path("double-authentification/activer/", SetupView.as_view(), name="setup"),
        path("double-authentification/qr-code/", two_factor_views.QRGeneratorView.as_view(), name="qr"),
        path("double-authentification/activee/", SetupCompleteView.as_view(), name="setup_complete"),
        path("double-authentification/codes-de-secours/", BackupTokensView.as_view(), name="backup_tokens"),
        path("double-authentification/desactiver/", DisableView.as_view(), name="disable"),
        # The admin's own logout needs a verified session: this one ends a session stopped
        # between the password and the code (a counter PC must not keep it open).
        path("deconnexion/", LogoutView.as_view(next_page="two_factor:login"), name="logout"),
    ],
    "two_factor",
)
