from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

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
from partners.models import Partner

from .enums import ON_TRACK, ActionKind, ActionStatus, IndicatorDirection, Month, ProgressStatus


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
        return slug_path("actions:axis", self.slug)


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


_PROGRESS_GROUP = {
    **dict.fromkeys(ON_TRACK, "on_track"),
    ProgressStatus.LATE: "late",
    ProgressStatus.DONE: "done",
    ProgressStatus.ABANDONED: "abandoned",
}


class ActionQuerySet(SearchableQuerySet):
    def published(self, now=None):
        """Visible on the site now (core/publication.py: the editor's choice and its dates)."""
        return self.filter(publication_q(now))

    def featured(self):
        return self.filter(featured=True)

    def of_axis(self, axis):
        """The actions of one axis, in the lists' order (``Meta.ordering``) without joining the axis.

        Within one axis the axis's number orders nothing: by title alone, PostgreSQL reads the first
        ones in order from an index (``action_axis_title_idx``) instead of sorting the whole axis.
        """
        return self.filter(axis=axis).order_by("title", "pk")

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

    def with_results(self):
        """Prefetches what the action's results show: its indicators, milestones and evaluations."""
        return self.prefetch_related("indicators", "milestones", "evaluations")

    def progress_counts(self):
        """``[(ProgressStatus or None, count), …]``: how many of these actions stand at each stage.

        Every stage is listed, in the order of ``ProgressStatus`` (zero when none), then the actions
        whose progress is not assessed yet (``None``). One query.
        """
        counts = dict(self.order_by().values("progress").annotate(count=Count("pk")).values_list("progress", "count"))
        rows = [(status, counts.get(status.value, 0)) for status in ProgressStatus]
        rows.append((None, counts.get("", 0)))
        return rows

    def progress_by_axis(self):
        """``{axis_id: {"total", "on_track", "late", "done", "abandoned", "not_assessed"}}``, one query.

        « On track »: to come, under way or ahead (``ON_TRACK``); an axis without actions is absent.
        """
        rows = self.order_by().values("axis_id", "progress").annotate(count=Count("pk"))
        summary = {}
        for row in rows:
            counts = summary.setdefault(
                row["axis_id"], dict.fromkeys(("total", "on_track", "late", "done", "abandoned", "not_assessed"), 0)
            )
            counts["total"] += row["count"]
            counts[_PROGRESS_GROUP.get(row["progress"], "not_assessed")] += row["count"]
        return summary


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
    progress = models.CharField(
        "avancement",
        max_length=20,
        choices=ProgressStatus.choices,
        blank=True,
        help_text="Où en est l’action par rapport à ce qui était prévu. Laissez vide tant qu’elle n’a pas "
        "été évaluée : le site dit alors « avancement non renseigné ».",
    )
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
        # The calendars' freshness reads the latest change (events/calendars.py). The indexes of the
        # public lists are PostgreSQL's own (migration 0017).
        indexes = [models.Index(fields=["updated_at"], name="action_updated_at_idx")]
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
            models.CheckConstraint(
                condition=Q(progress="") | Q(progress__in=ProgressStatus.values),
                name="action_progress_known",
                violation_error_message="Choisissez un avancement de la liste, ou laissez-le vide.",
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
        return slug_path("actions:detail", self.slug)

    def search_boost(self):
        # An action that has ended stays findable, after the ones residents can still join.
        return 0.8 if self.status == ActionStatus.FINISHED else 1.0

    @property
    def contact_is_set(self):
        return bool(self.contact_name or self.contact_phone or self.contact_email)


NOT_ASSESSED = "Avancement non renseigné"


def progress_rows(counts):
    """``(label, count)`` rows for a chart of ``ActionQuerySet.progress_counts()``; empty if no action
    is assessed (the page then says so instead of drawing bars of zeros)."""
    if not any(count for status, count in counts if status is not None):
        return []
    return [(status.label if status else NOT_ASSESSED, count) for status, count in counts]


# Results: indicators, milestones, yearly evaluations -------------------------------------------

EARLIEST_YEAR = 2015  # the first CLS of Créteil was signed in October 2015


def _together(name, value, date, message):
    """A constraint: a figure and its date are given together, or neither."""
    return models.CheckConstraint(
        condition=Q(**{f"{value}__isnull": True, f"{date}__isnull": True})
        | Q(**{f"{value}__isnull": False, f"{date}__isnull": False}),
        name=name,
        violation_error_message=message,
    )


_TARGET_REACHED = Q(direction=IndicatorDirection.UP, latest_value__gte=models.F("target_value")) | Q(
    direction=IndicatorDirection.DOWN, latest_value__lte=models.F("target_value")
)


class IndicatorQuerySet(models.QuerySet):
    def of_published_actions(self, now=None):
        return self.filter(publication_q(now, prefix="action__"))

    def target_reached(self):
        """Indicators whose latest value reached their target (the rule of ``Indicator.target_reached``)."""
        return self.filter(_TARGET_REACHED)

    def value_histories(self):
        """``{indicator_id: [(value, date, source), …]}``: the latest values these indicators had, the
        newest first, each once (a version that changed only the name repeats no value). One query."""
        versions = (
            Indicator.history.filter(id__in=self.order_by().values("pk"))
            .exclude(latest_value=None)
            .order_by("id", "-history_date", "-history_id")
            .values_list("id", "latest_value", "latest_date", "source")
        )
        histories = {}
        for pk, value, date, source in versions:
            values = histories.setdefault(pk, [])
            if not values or values[-1][:2] != (value, date):
                values.append((value, date, source))
        return histories

    def summary(self):
        """``{"total": …, "measured": …, "reached": …}``: how many indicators, with a latest value,
        at their target. One query."""
        return self.order_by().aggregate(
            total=Count("pk"),
            measured=Count("pk", filter=Q(latest_value__isnull=False)),
            reached=Count("pk", filter=_TARGET_REACHED),
        )


class Indicator(models.Model):
    """A figure that tells whether an action achieves what it aims at: from a baseline towards a target.

    Each value has its date; the latest one its source. Every change is kept (history): the
    previous latest values are the indicator's past.
    """

    grammatical_gender = "m"

    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(
        "indicateur", max_length=200, help_text="Ce que l’on compte, en mots simples : « personnes dépistées »."
    )
    unit = models.CharField(
        "unité", max_length=40, blank=True, help_text="Par exemple « personnes », « % », « jours ». Facultative."
    )
    direction = models.CharField(
        "sens", max_length=10, choices=IndicatorDirection.choices, default=IndicatorDirection.UP
    )
    baseline_value = models.DecimalField("valeur de départ", max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField("date de la valeur de départ", null=True, blank=True)
    target_value = models.DecimalField("cible", max_digits=12, decimal_places=2, null=True, blank=True)
    target_date = models.DateField("date de la cible", null=True, blank=True)
    latest_value = models.DecimalField("dernière valeur", max_digits=12, decimal_places=2, null=True, blank=True)
    latest_date = models.DateField("date de la dernière valeur", null=True, blank=True)
    source = models.CharField(
        "source de la dernière valeur",
        max_length=300,
        blank=True,
        help_text="D’où vient le chiffre : « bilan annuel du CCAS 2026 », « CPAM du Val-de-Marne »…",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["action", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="indicator_name_not_empty",
                violation_error_message="Le nom de l’indicateur est obligatoire.",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=IndicatorDirection.values),
                name="indicator_direction_known",
                violation_error_message="Choisissez le sens de l’indicateur : à la hausse ou à la baisse.",
            ),
            _together(
                "indicator_baseline_with_date",
                "baseline_value",
                "baseline_date",
                "Indiquez la valeur de départ et sa date ensemble, ou aucune des deux.",
            ),
            _together(
                "indicator_target_with_date",
                "target_value",
                "target_date",
                "Indiquez la cible et sa date ensemble, ou aucune des deux.",
            ),
            _together(
                "indicator_latest_with_date",
                "latest_value",
                "latest_date",
                "Indiquez la dernière valeur et sa date ensemble, ou aucune des deux.",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(target_date__gt=models.F("baseline_date")),
                name="indicator_target_after_baseline",
                violation_error_message="La date de la cible doit être après celle de la valeur de départ.",
            ),
            models.CheckConstraint(
                condition=Q(latest_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(latest_date__gte=models.F("baseline_date")),
                name="indicator_latest_after_baseline",
                violation_error_message="La dernière valeur ne peut pas dater d’avant la valeur de départ.",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True)
                | Q(baseline_value__isnull=True)
                | Q(direction=IndicatorDirection.UP, target_value__gt=models.F("baseline_value"))
                | Q(direction=IndicatorDirection.DOWN, target_value__lt=models.F("baseline_value")),
                name="indicator_target_in_direction",
                violation_error_message="La cible doit être au-dessus de la valeur de départ pour un indicateur "
                "« à la hausse », en dessous pour un indicateur « à la baisse ».",
            ),
            models.CheckConstraint(
                condition=Q(latest_value__isnull=True) | ~Q(source=""),
                name="indicator_latest_has_source",
                violation_error_message="Indiquez la source de la dernière valeur.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{self.action.get_absolute_url()}#indicateur-{self.pk}"

    @property
    def has_scale(self):
        """Whether progress can be measured: a baseline, a target and a latest value."""
        return None not in (self.baseline_value, self.target_value, self.latest_value)

    @property
    def progress_ratio(self):
        """How far the latest value went from the baseline towards the target: 0 at the start, 1 reached.

        Below 0 when it went the wrong way, above 1 beyond the target; ``None`` without the three values.
        The direction is in the target: the database refuses a target on the wrong side of the baseline.
        """
        if not self.has_scale or self.target_value == self.baseline_value:
            return None
        return (self.latest_value - self.baseline_value) / (self.target_value - self.baseline_value)

    @property
    def progress_percent(self):
        """``progress_ratio`` as a whole percentage (``None`` if unknown): what the page says."""
        ratio = self.progress_ratio
        return None if ratio is None else int((ratio * 100).quantize(Decimal(1)))

    @property
    def target_reached(self):
        ratio = self.progress_ratio
        return ratio is not None and ratio >= 1

    @property
    def went_wrong_way(self):
        ratio = self.progress_ratio
        return ratio is not None and ratio < 0


class MilestoneQuerySet(models.QuerySet):
    def done(self):
        return self.filter(done_date__isnull=False)

    def late(self, today=None):
        """Not done and planned before ``today`` (the site's today by default)."""
        return self.filter(done_date__isnull=True, planned_date__lt=today or timezone.localdate())


class Milestone(models.Model):
    """A step of an action, planned for a date; done on another (or not yet)."""

    grammatical_gender = "f"

    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.CASCADE, related_name="milestones")
    what = models.CharField("étape", max_length=300, help_text="Par exemple « ouverture de la ligne téléphonique ».")
    planned_date = models.DateField("date prévue")
    done_date = models.DateField(
        "réalisée le", null=True, blank=True, help_text="Laissez vide tant que l’étape n’est pas franchie."
    )

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "étape"
        verbose_name_plural = "étapes"
        ordering = ["action", "planned_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(what=""),
                name="milestone_what_not_empty",
                violation_error_message="Décrivez l’étape.",
            ),
        ]

    def __str__(self):
        return self.what

    def clean(self):
        super().clean()
        if self.done_date and self.done_date > timezone.localdate():
            raise ValidationError({"done_date": "Une étape ne peut pas être réalisée à une date encore à venir."})

    def is_late(self, today=None):
        """The rule of ``MilestoneQuerySet.late`` for one milestone in memory."""
        return self.done_date is None and self.planned_date < (today or timezone.localdate())

    @property
    def is_done(self):
        return self.done_date is not None

    @property
    def days_late_when_done(self):
        """Days between the plan and the day it was done (negative: ahead); ``None`` if not done."""
        return None if self.done_date is None else (self.done_date - self.planned_date).days


def current_year():
    return timezone.localdate().year


class Evaluation(models.Model):
    """What an action achieved in one year, in the words of its team: one text per action and year."""

    grammatical_gender = "m"  # « un bilan annuel »

    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("année", default=current_year)
    text = models.TextField("bilan", help_text="Ce qui a été fait, pour qui, ce qui a marché ou non, en mots simples.")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bilan annuel"
        verbose_name_plural = "bilans annuels"
        ordering = ["action", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "year"],
                name="evaluation_one_per_year",
                violation_error_message="Cette action a déjà un bilan pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_YEAR) & Q(year__lte=2100),
                name="evaluation_year_range",
                violation_error_message=f"L’année du bilan doit être comprise entre {EARLIEST_YEAR} et 2100.",
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="evaluation_text_not_empty",
                violation_error_message="Le bilan ne peut pas être vide.",
            ),
        ]

    def __str__(self):
        return f"Bilan {self.year}"

    def clean(self):
        super().clean()
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": "On ne peut pas écrire le bilan d’une année qui n’a pas commencé."})
