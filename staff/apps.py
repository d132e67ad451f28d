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
        name_link_tables_in_french()
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


# Django's names for what the packages' models print (``__str__``: « Access Log for admin @
# 2026-12-01 00:11:34.567763+00:00 » as a page's title), in French and in Paris time.


def _attempt_label(what):
    def label(self):
        from core.dates import french_datetime

        return f"{what} de « {self.username} » le {french_datetime(self.attempt_time)}"

    return label


THIRD_PARTY_STR = {
    "axes.AccessAttempt": _attempt_label("Tentative de connexion"),
    "axes.AccessLog": _attempt_label("Connexion"),
    "axes.AccessFailureLog": _attempt_label("Échec de connexion"),
}


def name_models_in_french():
    """French names for the packages' models (where they have none), their genders and what they print."""
    for label, (singular, plural, gender) in THIRD_PARTY_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # an app left out of INSTALLED_APPS
            continue
        if singular:
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural
        model.grammatical_gender = gender
        if label in THIRD_PARTY_STR:
            model.__str__ = THIRD_PARTY_STR[label]


# The link tables Django creates for each many-to-many field (« Action-theme relationship »,
# rows printed « Action_themes object (12) »): what a deletion's summary lists when it removes an
# action's themes or a user's groups. Named « lien action – thème », each row by what it links to.


def _link_label(to_field):
    def label(self):
        return str(getattr(self, to_field))

    return label


def name_link_tables_in_french():
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.auto_created:
            continue
        from_field, to_field = (field for field in opts.fields if field.is_relation)
        # A link between two objects of one model names its fields from_… and to_….
        if to_field.name.startswith("from_"):
            from_field, to_field = to_field, from_field
        origin, target = from_field.related_model._meta, to_field.related_model._meta
        opts.verbose_name = f"lien {origin.verbose_name} – {target.verbose_name}"
        opts.verbose_name_plural = f"liens {origin.verbose_name} – {target.verbose_name}"
        model.grammatical_gender = "m"
        model.__str__ = _link_label(to_field.name)
