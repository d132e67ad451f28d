from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """Staff accounts: two-factor authentication, login lockout, session limits, the staff groups."""

    name = "staff"
    verbose_name = "Comptes du personnel"


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
