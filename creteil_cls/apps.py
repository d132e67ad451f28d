from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CreteilClsConfig(AppConfig):
    name = "creteil_cls"
    verbose_name = "Portail du CLS"

    def ready(self):
        # Every content change empties the page cache (creteil_cls/cache.py).
        from . import cache

        cache.connect_signals()


class CreteilClsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site as the default one: two-factor authentication where required.

    Listed in INSTALLED_APPS in place of "django.contrib.admin"; ``default = False`` keeps
    ``CreteilClsConfig`` the configuration of the "creteil_cls" entry.
    """

    default = False
    default_site = "creteil_cls.admin_site.CreteilClsAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin.py
        from django.contrib.admin import site
        from django.contrib.auth.signals import user_logged_in

        from creteil_cls.admin_site import register_lockout_admin, remember_login_time

        register_lockout_admin(site)
        user_logged_in.connect(remember_login_time, dispatch_uid="cls_remember_login_time")
