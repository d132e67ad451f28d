"""The site's own details, edited by the CCAS team in the admin: one row, read from a cache.

``SiteSettings`` holds what every page shows and a resident must be able to trust: the City's
name and logo (header), the CCAS Prévention-Santé service's address, opening hours and phone
(footer, contact page), and what the legal notice must name (publisher, publication director,
host). A value nobody has confirmed yet is left empty and the pages say « à confirmer ».

Every page reads it through :func:`get_site_settings` (the ``site`` context processor): from the
``pages`` cache, shared by every worker and every instance like the page cache itself, so that a
page costs no query for it once cached. A save or a delete forgets the cached copy at once and
again after the commit, and, the model being registered as content (``CoreConfig.ready``),
empties the page cache too: the new values show on the next page.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.templatetags.static import static

from core.cache import CACHE_ERRORS
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.images import SanitizedImageField
from core.maps import map_url
from core.opening_hours import HELP_TEXT as OPENING_HOURS_HELP
from core.opening_hours import parse_opening_hours, validate_opening_hours
from core.phones import FrenchPhoneNumberModelField

CACHE_ALIAS = "pages"
CACHE_KEY = "site-settings"
# A safety net: a copy written by a request that read the row just before a save (and cached it
# just after the save forgot the old one) lives at most this long.
CACHE_SECONDS = 300
# The only row.
SINGLETON_PK = 1
PLACEHOLDER_LOGO = "img/logo-provisoire.svg"
TO_CONFIRM = "à confirmer"

logger = logging.getLogger(__name__)


class SiteSettings(models.Model):
    grammatical_gender = "mpl"
    city_name = models.CharField(
        "nom de la ville",
        max_length=100,
        default="Ville de Créteil",
        help_text="Affiché en haut de chaque page, à côté du logo.",
    )
    logo = SanitizedImageField(
        "logo de la ville",
        upload_to="site/",
        blank=True,
        help_text="Laissé vide, le site affiche un logo provisoire. Une image large et peu haute se lit mieux.",
    )
    logo_alt = models.CharField(
        "texte alternatif du logo",
        max_length=200,
        blank=True,
        help_text="Ce que le logo dit en mots, s’il porte un texte que le nom de la ville, écrit à côté, "
        "ne dit pas. Laissez vide sinon : un lecteur d’écran ne lira pas deux fois le nom.",
    )
    ccas_name = models.CharField(
        "nom du service",
        max_length=200,
        default="Service Prévention-Santé du CCAS de Créteil",
        help_text="Le service que les habitants appellent : pied de page et page Contact.",
    )
    ccas_address = models.TextField(
        "adresse du service",
        blank=True,
        help_text="Numéro, rue, code postal et ville ; une ligne par ligne d’adresse. "
        "Laissée vide, le site affiche « adresse à confirmer ».",
    )
    ccas_opening_hours = models.TextField(
        "horaires d’accueil du service", blank=True, validators=[validate_opening_hours], help_text=OPENING_HOURS_HELP
    )
    ccas_phone = FrenchPhoneNumberModelField(
        "téléphone du service",
        blank=True,
        help_text="Affiché sur toutes les pages. Laissé vide, le site affiche le numéro des réglages du serveur.",
    )
    ccas_email = models.EmailField("courriel du service", blank=True)
    publisher_name = models.CharField(
        "éditeur du site",
        max_length=200,
        default="Ville de Créteil et son centre communal d’action sociale (CCAS)",
        help_text="Mentions légales : qui publie le site.",
    )
    publisher_address = models.TextField("adresse de l’éditeur", blank=True)
    publisher_phone = FrenchPhoneNumberModelField("téléphone de l’éditeur", blank=True)
    publication_director = models.CharField(
        "directeur ou directrice de la publication",
        max_length=200,
        blank=True,
        default="Le maire de Créteil",
        help_text="Sa fonction, et son nom si vous le souhaitez. Par exemple : « Le maire de Créteil ».",
    )
    host_name = models.CharField(
        "hébergeur", max_length=200, blank=True, help_text="Mentions légales : l’entreprise qui héberge le site."
    )
    host_address = models.TextField("adresse de l’hébergeur", blank=True)
    host_phone = models.CharField(
        "téléphone de l’hébergeur",
        max_length=30,
        blank=True,
        help_text="Tel que l’hébergeur l’écrit (il peut être étranger).",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "réglages du site"
        verbose_name_plural = "réglages du site"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=SINGLETON_PK),
                name="site_settings_single_row",
                violation_error_message="Le site n’a qu’une fiche de réglages : modifiez celle qui existe.",
            ),
        ]

    def __str__(self):
        return "Réglages du site"

    def save(self, *args, **kwargs):
        self.pk = SINGLETON_PK
        super().save(*args, **kwargs)

    # What the templates show ------------------------------------------------------------------

    @property
    def logo_url(self):
        return self.logo.url if self.logo else static(PLACEHOLDER_LOGO)

    @property
    def logo_is_placeholder(self):
        return not self.logo

    @property
    def phone(self):
        """The CCAS phone as residents read it: this row's, else the server's setting."""
        return str(self.ccas_phone) if self.ccas_phone else settings.CCAS_PHONE

    @property
    def ccas_address_lines(self):
        return [line.strip() for line in self.ccas_address.splitlines() if line.strip()]

    @property
    def ccas_map_url(self):
        return map_url(address=", ".join(self.ccas_address_lines))

    @property
    def opening_hours(self):
        return parse_opening_hours(self.ccas_opening_hours)


def _cache():
    return caches[CACHE_ALIAS]


def get_site_settings():
    """The site's settings: the saved row, or the defaults (unsaved) until someone saves it.

    From the shared cache when it holds them: no query. Never raises for a database or cache
    outage: the page is then shown with the defaults.
    """
    try:
        cached = _cache().get(CACHE_KEY)
    except CACHE_ERRORS as error:  # Redis down, a full disk: the page must still render
        logger.warning("Cache injoignable (%s) : réglages du site lus en base", type(error).__name__)
        cached = None
    if isinstance(cached, SiteSettings):
        return cached
    try:
        current = SiteSettings.objects.filter(pk=SINGLETON_PK).first() or SiteSettings()
    except DatabaseError:
        return SiteSettings()
    try:
        _cache().set(CACHE_KEY, current, CACHE_SECONDS)
    except CACHE_ERRORS as error:
        logger.warning("Cache injoignable (%s) : réglages du site non gardés", type(error).__name__)
    return current


def clear_cached_site_settings():
    """Drop the cached copy: the next page reads the row again."""
    try:
        _cache().delete(CACHE_KEY)
    except CACHE_ERRORS as error:
        logger.warning("Cache injoignable (%s) : réglages du site non oubliés", type(error).__name__)


def forget_site_settings(**kwargs):
    """Signal receiver: drop the cached copy now, and again once the transaction commits.

    Again after the commit, so that a page rendered by another request between the two (from the
    row before the commit) cannot keep the old values in the cache.
    """
    clear_cached_site_settings()
    transaction.on_commit(clear_cached_site_settings, robust=True)


models.signals.post_save.connect(forget_site_settings, sender=SiteSettings, dispatch_uid="site-settings-save")
models.signals.post_delete.connect(forget_site_settings, sender=SiteSettings, dispatch_uid="site-settings-delete")
