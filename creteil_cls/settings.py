"""Settings of the Créteil CLS portal, read from the environment.

Production is the default: ``DJANGO_DEBUG=1`` opts into development. Every variable is
listed in README.md (section « Configuration »).
"""

import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY est obligatoire en production (ou DJANGO_DEBUG=1 en développement)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin with our own default site: two-factor authentication cannot be bypassed (staff/admin_site.py).
    "staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # Django's widget templates, for the form renderer below.
    "django.forms",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    # The read-only open data API (/api/, creteil_cls/api.py) and its OpenAPI description.
    "rest_framework",
    "drf_spectacular",
    "csp",
    "simple_history",
    "import_export",
    # The editors' long texts: the rich-text editor's static files and French labels (core/rich_text_fields.py).
    "django_prose_editor",
    # Staff accounts: two-factor authentication (TOTP + backup codes) and login lockout; the
    # packages' apps under French names (staff/apps.py).
    "django_otp",
    "staff.apps.OtpStaticConfig",
    "staff.apps.OtpTotpConfig",
    "two_factor",
    "staff.apps.AxesConfig",
    # The project's own apps, from the ground up: shared machinery, staff accounts, then each app
    # above the ones it uses (DESIGN.md § 3), and the site-wide pages on top.
    "core",
    "staff",
    "partners",
    "actions",
    "events",
    "mutuelle",
    "creteil_cls",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the header built once (core/middleware.py).
    "core.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A cached public page for a visitor without a session, served here: the middleware above add
    # the security headers to it; those below (session, CSRF, auth, OTP…) have nothing to do for
    # it and would cost as much as the page (core/cache.py, docs/performances.md).
    "core.cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.sessions.SessionHardLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After the session, auth and OTP middleware, as django-axes asks: a locked-out login → its lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost: it alone sees the resolved view, and marks the public pages that may be stored.
    "core.cache.PageCacheMiddleware",
]

ROOT_URLCONF = "creteil_cls.urls"
WSGI_APPLICATION = "creteil_cls.wsgi.application"

# Widgets rendered with the project's templates, so that templates/admin/widgets/ can give the
# admin's date and time inputs their labels (Django's default renderer reads only the apps').
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "creteil_cls.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every value the shared caches hold (Redis, the page cache's directory) is signed with a key derived
# from this one, and a value without a valid signature is ignored, never unpickled
# (core/signed_cache.py). Changing it only empties those caches, in effect.
CACHE_SIGNING_KEY = os.environ.get("DJANGO_CACHE_SIGNING_KEY", "") or SECRET_KEY

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Every instance pointed at the same Redis shares the cache, the sessions and the rate-limit
    # counters. Redis is then required: while it is down, pages that use the cache or a session
    # fail with a 500 after at most DJANGO_REDIS_TIMEOUT seconds instead of hanging (docs/production.md).
    REDIS_TIMEOUT = float(os.environ.get("DJANGO_REDIS_TIMEOUT", "1"))
    CACHES = {
        "default": {
            "BACKEND": "core.signed_cache.SignedRedisCache",
            "LOCATION": REDIS_URL,
            # Not an isolation: a site that can write to this Redis database can write under any
            # prefix. One Redis database and one password or ACL user per site (docs/production.md).
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "cls"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                # Drop a pooled connection left dead by a Redis restart before using it.
                "health_check_interval": 30,
            },
        }
    }
    # Sessions read from Redis but written through to the database: a Redis restart, a flush or
    # an eviction (maxmemory) never logs the staff out nor loses a confirmation page. Django's
    # cached_db, with fewer round trips for a new session (core/session_store.py).
    SESSION_ENGINE = "core.session_store"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Page cache of the public pages for visitors without a session (core/cache.py), emptied by
# every content change. Its store and its content generation must be shared by every worker and
# instance: Redis with REDIS_URL, else a directory on this machine (capped at MAX_ENTRIES files).
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "300"))  # 0: off
PAGE_CACHE_MAX_QUERY_PAGES = 2000  # pages with a query string stored per lifetime window
PAGE_CACHE_KEY_PREFIX = "pages"
if REDIS_URL:
    CACHES["pages"] = {**CACHES["default"]}
else:
    # By default one directory per project and database: two sites (or a test server) on one machine
    # never serve each other's pages.
    _database = DATABASES["default"]
    _page_cache_scope = hashlib.sha256(
        f"{BASE_DIR}|{_database['ENGINE']}|{_database.get('HOST')}|{_database.get('PORT')}|{_database['NAME']}".encode()
    ).hexdigest()[:12]
    CACHES["pages"] = {
        "BACKEND": "core.signed_cache.SignedFileBasedCache",
        # In the project, not in the shared /tmp: a directory that another local account could create
        # first must never be read from. Its files are signed pickles: one without a valid signature
        # is deleted unread (core/signed_cache.py).
        "LOCATION": os.environ.get("DJANGO_PAGE_CACHE_DIR", str(BASE_DIR / ".cache" / f"pages-{_page_cache_scope}")),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
# The project's own French for some of Django's admin sentences (staff/wording.py explains why).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Uploaded images (core/images.py): JPEG, PNG or WebP within these limits, re-encoded
# without metadata and shrunk to IMAGE_STORED_MAX_SIDE pixels before they are stored.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("DJANGO_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
IMAGE_UPLOAD_MIN_SIDE = int(os.environ.get("DJANGO_IMAGE_MIN_SIDE", "32"))
IMAGE_UPLOAD_MAX_SIDE = int(os.environ.get("DJANGO_IMAGE_MAX_SIDE", "6000"))
IMAGE_STORED_MAX_SIDE = int(os.environ.get("DJANGO_IMAGE_STORED_MAX_SIDE", "1600"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS: on by default in production; set to 0 to serve plain HTTP on a loopback.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes each instance directly over HTTP: the health check answers it there.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading commits every subdomain of the city's domain to HTTPS in browsers for years: a decision
# for the city's IT team, off unless asked for; the deploy check's reminder (W021) is silenced while off.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Security headers (docs/securite.md). Cookies: Secure (above), SameSite=Lax, and out of reach of
# scripts: the portal has no script that reads the CSRF token from its cookie.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): everything from the portal itself, no inline script or
# style, no other site. img-src allows data: for the small SVG icons inside Bootstrap's CSS
# (select arrows, checkboxes, close buttons); the 2FA QR code is an image served by the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
        # Only behind HTTPS: on a plain-HTTP loopback it would send the browser to https:// for every file.
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    },
}
# Permissions-Policy (core.middleware): browser features no page of the portal uses.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}

# Staff accounts ---------------------------------------------------------------------------------
# docs/comptes.md tells agents and administrators how the pieces below behave.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username/address pair before any password is checked.
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The admin's login is django-two-factor-auth's wizard (password, then token), under /admin/compte/.
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
# Our admin site enforces two-factor authentication itself (staff/admin_site.py): no
# monkeypatching of every AdminSite by the package.
TWO_FACTOR_PATCH_ADMIN = False
# The superusers' device admin shows neither the secret keys nor their QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The enrolment QR code: an SVG served by the portal, on a white background (readable in dark mode).
TWO_FACTOR_QR_FACTORY = "qrcode.image.svg.SvgFillImage"

# Sessions end after DJANGO_SESSION_IDLE_MINUTES without a request (the expiry is renewed on every
# request; Django saves only non-empty sessions, so anonymous visitors cost nothing), when the browser
# closes, and DJANGO_SESSION_HARD_LIMIT_HOURS after the login whatever happens.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "120")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_HARD_LIMIT_SECONDS = int(float(os.environ.get("DJANGO_SESSION_HARD_LIMIT_HOURS", "10")) * 3600)

# django-axes: after AXES_FAILURE_LIMIT failed logins for one username from one address, that pair
# is locked for DJANGO_AXES_COOLOFF_MINUTES. The pair, not the address alone: a whole CCAS office
# behind one NAT address is not locked out by one agent's typos; not the username alone: an attacker
# elsewhere cannot lock a known agent out. Guessing a password from many addresses is what the
# 12-character password rule and two-factor authentication are for.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "15")))
# Retries during a lockout do not push its end back, so the lockout page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The database handler: the attempts live in the one PostgreSQL every instance shares, counted in a
# transaction under a row lock; the cache handler would count per process without REDIS_URL and
# forget on a Redis restart; and superusers see the attempts in the admin.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Behind the reverse proxy: the same header as the rate limits (DJANGO_RATELIMIT_IP_META_KEY).
AXES_CLIENT_IP_CALLABLE = "staff.lockout.client_ip_address"
AXES_LOCKOUT_CALLABLE = "staff.lockout.lockout_response"
# The login wizard's fields are prefixed: never store its password nor a token in the attempts.
AXES_PASSWORD_FORM_FIELD = "auth-password"  # noqa: S105 (a field name)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "auth-password", "token-otp_token", "backup-otp_token"]
# Registered by staff.apps.StaffAdminConfig, for superusers only.
AXES_ENABLE_ADMIN = False

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# Seconds before giving up on the mail server: the mutuelle's mails are sent during the request
# (after the commit), and a hanging server must not hang the form; a failed mail is resent later.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "CLS Créteil <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The CCAS Prévention-Santé service, whom residents call: on the pages, in the mails, in the initial
# content. One value, here.
CCAS_PHONE = os.environ.get("CCAS_PHONE", "01 49 80 88 68")

# Phone numbers (django-phonenumber-field, core/phones.py): read as French numbers, stored in
# E.164 (« +33612345678 »), shown as residents write them (« 06 12 34 56 78 »).
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# Public base URL, used where an absolute link leaves the request (calendars, mails).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Mutuelle communale: who is told of a new interest request, and how long personal data is kept.
MUTUELLE_TEAM_EMAIL = os.environ.get("MUTUELLE_TEAM_EMAIL", "mutuelle@localhost")
# Closed requests are anonymised 3 years after the last contact (CNIL reference for prospects).
MUTUELLE_RETENTION_CLOSED_DAYS = int(os.environ.get("MUTUELLE_RETENTION_CLOSED_DAYS", str(3 * 365)))
# Requests nobody touched (still « nouvelle ») are anonymised after this many days.
MUTUELLE_RETENTION_UNTOUCHED_DAYS = int(os.environ.get("MUTUELLE_RETENTION_UNTOUCHED_DAYS", "365"))
# Interest form (mutuelle/throttle.py): requests recorded per client address, robots' posts (honeypot,
# a form sent again) included; a form returned with a mistake to correct is never counted.
MUTUELLE_FORM_RATE = os.environ.get("MUTUELLE_FORM_RATE", "5/h")
# And every POST from one address, whatever it carries: a ceiling against floods only.
MUTUELLE_FORM_FLOOD_RATE = os.environ.get("MUTUELLE_FORM_FLOOD_RATE", "60/h")
# Registrations to events on the site (events/registration_views.py): registrations recorded per client
# address, and every post of the form (floods). A family registering its members one by one stays below.
EVENTS_REGISTRATION_RATE = os.environ.get("EVENTS_REGISTRATION_RATE", "10/h")
EVENTS_REGISTRATION_FLOOD_RATE = os.environ.get("EVENTS_REGISTRATION_FLOOD_RATE", "60/h")
# Appointments at the mutuelle's permanences (mutuelle/appointment_views.py): the same two counts.
MUTUELLE_APPOINTMENT_RATE = os.environ.get("MUTUELLE_APPOINTMENT_RATE", "5/h")
MUTUELLE_APPOINTMENT_FLOOD_RATE = os.environ.get("MUTUELLE_APPOINTMENT_FLOOD_RATE", "60/h")

# django-ratelimit counts in a store every worker and every instance shares, with an atomic increment:
# Redis when REDIS_URL is set, else a table of the database (core/db_cache.py; created by the
# migration core/0002, whatever REDIS_URL says, so that dropping Redis later needs nothing more).
RATE_LIMIT_TABLE = "cls_rate_limits"
CACHES["ratelimit"] = (
    CACHES["default"] if REDIS_URL else {"BACKEND": "core.db_cache.LockingDatabaseCache", "LOCATION": RATE_LIMIT_TABLE}
)
RATELIMIT_USE_CACHE = "ratelimit"
# Behind a reverse proxy, point this at the header it sets (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = os.environ.get("DJANGO_RATELIMIT_IP_META_KEY", "REMOTE_ADDR")

# django-import-export: exports need the model's « export » permission (the Mutuelle group only);
# formula escaping keeps « =… » cells as text in spreadsheets.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Logs (docs/exploitation-journaux.md): one JSON object per line in production, plain text in
# development; the « personal_data » filter keeps query strings of /mutuelle/… and /admin/… and the
# messages of errors raised there out of them. No error mail: ADMINS stays empty and the « django » logger
# below replaces Django's default handlers (mail_admins would send the request's data by mail).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT vaut « json » ou « plain ».")
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
ADMINS = []
MANAGERS = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "core.logging.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # No handler of their own (Django's defaults dropped, mail_admins included): the root's console.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Gunicorn's access log through the same handler, in a worker (where Django is set up).
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Open data API (/api/, creteil_cls/api.py): read-only JSON, no authentication (public data only),
# throttled per client address in the rate-limit store every worker and instance shares (Redis, or
# the database table above), the address read as for the rate limits (DJANGO_RATELIMIT_IP_META_KEY).
API_ANON_RATE = os.environ.get("DJANGO_API_RATE", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["creteil_cls.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API des données ouvertes du CLS de Créteil",
    "DESCRIPTION": (
        "Les actions, événements, lieux et partenaires du Contrat local de santé de Créteil, en lecture seule. "
        "Seul le contenu publié sur le portail y figure. Licence Ouverte / Etalab 2.0."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {
        "name": "Licence Ouverte / Open Licence version 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": False,
    "DISABLE_ERRORS_AND_WARNINGS": False,
    # The choices' values are listed as an enum; their meaning is in each dataset's parameters_help.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "creteil_cls.api.describe_parameters",
    ],
}
