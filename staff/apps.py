from axes import apps as axes_apps
from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class StaffConfig(AppConfig):
    """Staff accounts: two-factor authentication, login lockout, session limits, the staff groups."""

    name = "staff"
    verbose_name = "Comptes du personnel"

    def ready(self):
        from .wording import name_permissions_in_french

        name_models_in_french()
        # After django.contrib.auth's own receiver (auth comes first in INSTALLED_APPS), which
        # creates the permissions that this one names.
        post_migrate.connect(name_permissions_in_french, dispatch_uid="cls_name_permissions_in_french")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site as the default one: two-factor authentication where required.

    Listed in INSTALLED_APPS in place of "django.contrib.admin" (``default = False`` keeps
    ``StaffConfig`` the configuration of the "staff" entry).
    """

    default = False
    default_site = "staff.admin_site.CreteilClsAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin.py
        from django.contrib.admin import site
        from django.contrib.auth.signals import user_logged_in

        from .lockout import register_lockout_admin
        from .sessions import remember_login_time

        register_lockout_admin(site)
        user_logged_in.connect(remember_login_time, dispatch_uid="cls_remember_login_time")


# The packages' apps, named in the staff's words -------------------------------------------------
# Django's documented way to rename an application one does not own: a configuration of one's
# own, listed in INSTALLED_APPS in place of the package (same name and label, so the tables,
# migrations and permissions do not change).


class OtpTotpConfig(otp_totp_apps.DefaultConfig):
    default = False
    verbose_name = "Téléphones d’authentification"


class OtpStaticConfig(otp_static_apps.DefaultConfig):
    default = False
    verbose_name = "Codes de secours"


class AxesConfig(axes_apps.AppConfig):
    # « Axes » would read as the CLS's five axes.
    default = False
    verbose_name = "Tentatives de connexion"


# The models of Django and of the packages shown in the admin: their French names (where the
# package has none) and their gender, which staff/wording.py needs ("app_label.Model": singular,
# plural, gender). Only ``_meta`` changes, not the models' options as migrations see them
# (``original_attrs``): no migration in the packages' apps.
THIRD_PARTY_NAMES = {
    "admin.LogEntry": (None, None, "f"),
    "auth.Permission": (None, None, "f"),
    "auth.Group": (None, None, "m"),
    "auth.User": (None, None, "m"),
    "contenttypes.ContentType": (None, None, "m"),
    "sessions.Session": (None, None, "f"),
    "otp_totp.TOTPDevice": ("téléphone d’authentification", "téléphones d’authentification", "m"),
    "otp_static.StaticDevice": ("liste de codes de secours", "listes de codes de secours", "f"),
    "otp_static.StaticToken": ("code de secours", "codes de secours", "m"),
    "axes.AccessAttempt": ("tentative de connexion", "tentatives de connexion", "f"),
    "axes.AccessLog": ("connexion", "connexions", "f"),
    "axes.AccessFailureLog": ("échec de connexion", "échecs de connexion", "m"),
    "axes.AccessAttemptExpiration": ("fin de blocage", "fins de blocage", "f"),
}


def name_models_in_french():
    """French names for the packages' models (where they have none), and their genders."""
    for label, (singular, plural, gender) in THIRD_PARTY_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # an app left out of INSTALLED_APPS
            continue
        if singular:
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural
        model.grammatical_gender = gender
