from django.db import models
from django.db.models import Q

from core.fields import page_address_field
from core.history import FrenchHistoricalRecords as HistoricalRecords
from core.images import SanitizedImageField
from core.links import slug_path
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

from .enums import PartnerKind


class PartnerQuerySet(SearchableQuerySet):
    def published(self, now=None):
        """Visible on the site now (core/publication.py: the editor's choice and its dates)."""
        return self.filter(publication_q(now))

    def signatories(self):
        return self.filter(is_signatory=True)

    def for_cards(self):
        """What a partner's card reads (partners/includes/partner_grid.html): no search column, no other text."""
        return self.only("name", "slug", "acronym", "kind", "description")


class Partner(Publishable, SearchableModel):
    grammatical_gender = "m"
    name = models.CharField("nom", max_length=200)
    slug = page_address_field(source="nom")
    acronym = models.CharField("sigle", max_length=30, blank=True)
    kind = models.CharField("type", max_length=20, choices=PartnerKind.choices, default=PartnerKind.OTHER)
    is_signatory = models.BooleanField(
        "signataire du CLS", default=False, help_text="Cochez si le partenaire a signé le contrat de 2022."
    )
    description = RichTextField("présentation", blank=True, help_text=RICH_TEXT_HELP)
    role_in_cls = RichTextField("rôle dans le CLS", blank=True, help_text=RICH_TEXT_HELP)
    website = models.URLField("site internet", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.TextField("adresse postale", blank=True)
    logo = SanitizedImageField(
        "logo", upload_to="partenaires/", blank=True, width_field="logo_width", height_field="logo_height"
    )
    # Filled by the field from the stored logo: the width and height of <img> (core/templatetags/images.py).
    logo_width = models.PositiveIntegerField("largeur du logo (pixels)", null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField("hauteur du logo (pixels)", null=True, blank=True, editable=False)
    logo_alt = models.CharField(
        "texte alternatif du logo", max_length=200, blank=True, help_text="Laissez vide si le logo est décoratif."
    )
    order = models.PositiveIntegerField("ordre d’affichage", default=100)
    published = models.BooleanField("publié", default=False, help_text=PUBLISHED_HELP)
    publish_at = publish_at_field()
    unpublish_at = unpublish_at_field()
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    search_fields = {"name": "A", "acronym": "A", "description": "B", "role_in_cls": "C"}

    objects = PartnerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "search_vector"])

    class Meta:
        verbose_name = "partenaire"
        verbose_name_plural = "partenaires"
        ordering = ["-is_signatory", "order", "name"]
        constraints = [
            publication_constraint("partner_unpublish_after_publish"),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="partner_name_not_empty",
                violation_error_message="Le nom du partenaire est obligatoire.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return slug_path("partners:detail", self.slug)
