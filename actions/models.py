from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse

from core.fields import page_address_field
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.images import SanitizedImageField
from core.publication import (
    PUBLISHED_HELP,
    Publishable,
    publication_constraint,
    publication_q,
    publish_at_field,
    unpublish_at_field,
)
from core.rich_text import HELP_TEXT as RICH_TEXT_HELP
from core.rich_text_fields import RichTextField
from core.search import SearchableModel, SearchableQuerySet
from partners.models import Partner

from .enums import ActionKind, ActionStatus, Month


class Axis(models.Model):
    """One of the five axes of the CLS (created by a data migration)."""

    grammatical_gender = "m"

    number = models.PositiveSmallIntegerField("numéro", unique=True)
    name = models.CharField("intitulé", max_length=200)
    slug = models.SlugField(
        "adresse de la page", max_length=200, unique=True, help_text="La fin de l’adresse web de la page de l’axe."
    )
    summary = models.TextField("résumé", blank=True)
    description = RichTextField("présentation", blank=True, help_text=RICH_TEXT_HELP)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "axe"
        verbose_name_plural = "axes"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=5),
                name="axis_number_1_to_5",
                violation_error_message="Le CLS compte cinq axes, numérotés de 1 à 5.",
            ),
        ]

    def __str__(self):
        return f"Axe {self.number} : {self.name}"

    def get_absolute_url(self):
        return reverse("actions:axis", kwargs={"slug": self.slug})


class Objective(models.Model):
    """One of the objectives of the second-generation CLS."""

    grammatical_gender = "m"

    number = models.PositiveSmallIntegerField("numéro", unique=True)
    text = models.CharField("objectif", max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif du CLS"
        verbose_name_plural = "objectifs du CLS"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.text}"


class Taxonomy(models.Model):
    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField(
        "nom dans les adresses",
        max_length=100,
        unique=True,
        help_text="Le nom tel qu’il apparaît dans l’adresse web d’une liste filtrée (/actions/?theme=…), "
        "rempli à partir du nom ; à changer seulement si nécessaire (les liens déjà donnés ne marcheraient plus).",
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Theme(Taxonomy):
    grammatical_gender = "m"
    history = HistoricalRecords()

    class Meta(Taxonomy.Meta):
        verbose_name = "thème"
        verbose_name_plural = "thèmes"


class Audience(Taxonomy):
    grammatical_gender = "m"
    history = HistoricalRecords()

    class Meta(Taxonomy.Meta):
        verbose_name = "public"
        verbose_name_plural = "publics"

    @property
    def in_sentence(self):
        """The name as it reads inside a sentence: « Pour qui : parents et futurs parents, seniors ».

        The name is written as a label (« Parents et futurs parents »): its first letter is lowered,
        unless its first word is an acronym (« LGBT+ », « MDPH »), which keeps its capitals.
        """
        return in_sentence(self.name)


def in_sentence(label):
    """« Parents et futurs parents » → « parents et futurs parents »; « ALD et aidants » stays."""
    label = label.strip()
    first_word = label.split(maxsplit=1)[0] if label else ""
    if sum(char.isupper() for char in first_word) > 1:
        return label
    return label[:1].lower() + label[1:]


def audiences_in_sentence(audiences, everyone="tout le monde"):
    """« enfants, parents et futurs parents »: audiences listed inside a sentence; ``everyone`` if none."""
    return ", ".join(audience.in_sentence for audience in audiences) or everyone


class Neighbourhood(Taxonomy):
    grammatical_gender = "m"
    description = models.TextField("description", blank=True)

    history = HistoricalRecords()

    class Meta(Taxonomy.Meta):
        verbose_name = "quartier"
        verbose_name_plural = "quartiers"


class ActionQuerySet(SearchableQuerySet):
    def published(self, now=None):
        """Visible on the site now (core/publication.py: the editor's choice and its dates)."""
        return self.filter(publication_q(now))

    def featured(self):
        return self.filter(featured=True)

    def for_cards(self):
        """What an action card shows: its axis and its audiences, in a bounded number of queries."""
        return self.select_related("axis").prefetch_related("audiences", "neighbourhoods")

    def for_detail(self):
        return self.select_related("axis", "lead_partner").prefetch_related(
            "themes",
            "audiences",
            "neighbourhoods",
            Prefetch("partners", queryset=Partner.objects.published()),
        )


class Action(Publishable, SearchableModel):
    grammatical_gender = "f"
    title = models.CharField("titre", max_length=200)
    slug = page_address_field()
    axis = models.ForeignKey(Axis, verbose_name="axe", on_delete=models.PROTECT, related_name="actions")
    themes = models.ManyToManyField(Theme, verbose_name="thèmes", blank=True, related_name="actions")
    audiences = models.ManyToManyField(Audience, verbose_name="publics", blank=True, related_name="actions")
    neighbourhoods = models.ManyToManyField(
        Neighbourhood,
        verbose_name="quartiers",
        blank=True,
        related_name="actions",
        help_text="Laissez vide si l’action concerne toute la ville.",
    )
    summary = models.CharField(
        "résumé", max_length=300, help_text="Une ou deux phrases simples, affichées dans les listes."
    )
    body = RichTextField("description", blank=True, help_text=RICH_TEXT_HELP)
    keywords = models.CharField(
        "mots-clés de la recherche",
        max_length=300,
        blank=True,
        help_text="Des mots que les habitants peuvent taper pour trouver cette action sans qu’ils soient "
        "dans le texte, séparés par des virgules (par exemple « dentiste, caries »). Non affichés.",
    )
    how_to_join = RichTextField("comment participer", blank=True, help_text=RICH_TEXT_HELP)
    kind = models.CharField("type d’action", max_length=20, choices=ActionKind.choices, default=ActionKind.PROGRAMME)
    campaign_month = models.PositiveSmallIntegerField(
        "mois de la campagne", choices=Month.choices, null=True, blank=True
    )
    status = models.CharField("statut", max_length=20, choices=ActionStatus.choices, default=ActionStatus.ONGOING)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    lead_partner = models.ForeignKey(
        Partner,
        verbose_name="partenaire pilote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    partners = models.ManyToManyField(Partner, verbose_name="partenaires associés", blank=True, related_name="actions")
    contact_name = models.CharField(
        "contact",
        max_length=200,
        blank=True,
        help_text="Laissez le contact vide si c’est le service Prévention-Santé du CCAS : la page donne alors "
        "son nom et son téléphone tels qu’ils sont écrits dans « Réglages du site », toujours à jour.",
    )
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    contact_email = models.EmailField("courriel du contact", blank=True)
    image = SanitizedImageField(
        "image", upload_to="actions/", blank=True, width_field="image_width", height_field="image_height"
    )
    # Filled by the field from the stored image: the width and height of <img> (core/templatetags/images.py).
    image_width = models.PositiveIntegerField("largeur de l’image (pixels)", null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField("hauteur de l’image (pixels)", null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "texte alternatif de l’image", max_length=200, blank=True, help_text="Laissez vide si l’image est décorative."
    )
    published = models.BooleanField("publiée", default=False, help_text=PUBLISHED_HELP)
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    featured = models.BooleanField("mise en avant sur l’accueil", default=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    search_fields = {"title": "A", "keywords": "A", "summary": "B", "body": "C", "how_to_join": "D"}
    # Found by its theme, its audience, its quartier and its axis (core/search.py keeps them in step).
    search_related = {
        "themes__name": "A",
        "audiences__name": "B",
        "neighbourhoods__name": "B",
        "axis__name": "C",
        "lead_partner__name": "D",
    }

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_text", "search_vector"], m2m_fields=[themes, audiences, neighbourhoods, partners]
    )

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["axis__number", "title", "pk"]  # pk: pages stay stable when titles repeat
        constraints = [
            publication_constraint("action_unpublish_after_publish"),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="action_title_not_empty",
                violation_error_message="Le titre de l’action est obligatoire.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="action_end_after_start",
                violation_error_message="La date de fin doit être postérieure ou égale à la date de début.",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ActionKind.CAMPAIGN) & Q(campaign_month__isnull=False))
                | (~Q(kind=ActionKind.CAMPAIGN) & Q(campaign_month__isnull=True)),
                name="action_campaign_month",
                violation_error_message="Indiquez le mois d’une campagne annuelle, et seulement pour une campagne.",
            ),
            models.CheckConstraint(
                condition=Q(campaign_month__isnull=True) | (Q(campaign_month__gte=1) & Q(campaign_month__lte=12)),
                name="action_campaign_month_range",
                violation_error_message="Le mois de la campagne doit être compris entre 1 et 12.",
            ),
        ]

    def __str__(self):
        return self.title

    def upcoming_events_shown_with_it(self):
        """Its upcoming events published themselves: the public sees them while the action is published.

        Through the reverse relation (events' own rule, ``Event.objects.published``): the actions
        app does not import the agenda.
        """
        return self.events.published(action_preview=True).upcoming()

    def get_absolute_url(self):
        return reverse("actions:detail", kwargs={"slug": self.slug})

    def search_boost(self):
        # An action that has ended stays findable, after the ones residents can still join.
        return 0.8 if self.status == ActionStatus.FINISHED else 1.0

    @property
    def contact_is_set(self):
        return bool(self.contact_name or self.contact_phone or self.contact_email)
