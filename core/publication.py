"""The publication rule of the public content (actions, events, partners, places), in one place.

An object is visible on the site when the editor chose « Publié » and, if dates are given, from
« publier le » (included) until « retirer le » (excluded), to the minute, in Europe/Paris:

    published and (publish_at is null or publish_at <= now) and (unpublish_at is null or unpublish_at > now)

``publication_q()`` is that rule for querysets (each app's ``published()`` uses it),
``Publishable.is_public`` the same rule for one object in memory (templates, detail views).
``draft_q()`` and ``scheduled_change_q(now)`` find what waits for the editors (the admin's
dashboard and the lists' « publication » filter); ``publishable_models()`` the models concerned.
New objects are drafts: ``published`` defaults to False on every model that uses it.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

DRAFT_LABEL = "Brouillon (pas visible sur le site)"
PUBLISHED_LABEL = "Publié (visible sur le site, aux dates ci-dessous si vous en donnez)"
PUBLISHED_HELP = (
    "Un nouveau contenu est un brouillon : personne ne le voit sur le site tant que vous ne choisissez pas "
    "« Publié ». L’équipe connectée peut le prévisualiser."
)
UNPUBLISH_BEFORE_PUBLISH = "La date « retirer le » doit être après la date « publier le »."


def publish_at_field():
    return models.DateTimeField(
        "publier le",
        null=True,
        blank=True,
        help_text="Facultatif. Heure de Paris. Si « Publié » est choisi, le contenu n’apparaît qu’à partir de "
        "cette minute. Laissez vide pour le montrer dès l’enregistrement.",
    )


def unpublish_at_field():
    return models.DateTimeField(
        "retirer le",
        null=True,
        blank=True,
        help_text="Facultatif. Heure de Paris. Le contenu disparaît du site à cette minute. "
        "Laissez vide pour le laisser en ligne.",
    )


def publication_constraint(name):
    """The database's own check that withdrawal comes after publication."""
    return models.CheckConstraint(
        condition=Q(publish_at__isnull=True)
        | Q(unpublish_at__isnull=True)
        | Q(unpublish_at__gt=models.F("publish_at")),
        name=name,
        violation_error_message=UNPUBLISH_BEFORE_PUBLISH,
    )


def publication_q(now=None, prefix=""):
    """The rule as a ``Q``; ``prefix`` reaches a related object's (``"action__"`` for an event's action)."""
    now = now or timezone.now()
    return (
        Q(**{f"{prefix}published": True})
        & (Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now}))
        & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}))
    )


def draft_q():
    """Drafts: not chosen « Publié » (nobody sees them on the site, whatever their dates)."""
    return Q(published=False)


def scheduled_change_q(now=None):
    """Published objects that will appear (``publish_at``) or disappear (``unpublish_at``) after ``now``."""
    now = now or timezone.now()
    return Q(published=True) & (Q(publish_at__gt=now) | Q(unpublish_at__gt=now))


def publishable_models():
    """The installed models with a publication (``Publishable``), by their French name."""
    models_ = [model for model in apps.get_models() if issubclass(model, Publishable)]
    return sorted(models_, key=lambda model: str(model._meta.verbose_name_plural).casefold())


def to_the_minute(moment):
    return moment.replace(second=0, microsecond=0) if moment else moment


class Publishable:
    """Mixin of the models with ``published``, ``publish_at`` and ``unpublish_at`` fields."""

    def is_public_at(self, now):
        return (
            self.published
            and (self.publish_at is None or self.publish_at <= now)
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def is_public(self):
        """Whether the public sees it now (the rule of ``publication_q``)."""
        return self.is_public_at(timezone.now())

    def publication_state(self, now=None):
        """« Brouillon », « Publié », « Programmé », « Retiré » in plain words, for the admin's lists."""
        now = now or timezone.now()
        if not self.published:
            return "Brouillon"
        if self.publish_at and self.publish_at > now:
            return f"Programmé : en ligne le {_local(self.publish_at)}"
        if self.unpublish_at and self.unpublish_at <= now:
            return f"Retiré le {_local(self.unpublish_at)}"
        if self.unpublish_at:
            return f"Publié, retiré le {_local(self.unpublish_at)}"
        return "Publié"

    def clean(self):
        super().clean()
        self.publish_at = to_the_minute(self.publish_at)
        self.unpublish_at = to_the_minute(self.unpublish_at)
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError({"unpublish_at": UNPUBLISH_BEFORE_PUBLISH})


def not_public_after_publishing(objects, now=None):
    """Those of ``objects`` that « Publié » does not put on the site now, each with why.

    The rule of the change form: « publier le » still to come keeps an object off the site until
    that minute, « retirer le » passed keeps it off for good (until the editor changes the date).
    Returns ``[(object, publication_state), …]``, e.g. ``(action, "Retiré le 01/11/2026 à 10 h 00")``.
    """
    now = now or timezone.now()
    return [(obj, obj.publication_state(now)) for obj in objects if obj.published and not obj.is_public_at(now)]


def _local(moment):
    return f"{timezone.localtime(moment):%d/%m/%Y à %H h %M}"


def next_publication_change(models_, now):
    """The next moment after ``now`` when an object of ``models_`` appears or disappears; None if none.

    One query: the earliest future ``publish_at`` or ``unpublish_at`` of the published rows of every
    model that has them (drafts change nothing when their dates pass).
    """
    queries = []
    for model in models_:
        names = {field.name for field in model._meta.concrete_fields}
        if not {"published", "publish_at", "unpublish_at"} <= names:
            continue
        rows = model._default_manager.filter(published=True).order_by()
        queries.append(rows.filter(publish_at__gt=now).values_list("publish_at", flat=True))
        queries.append(rows.filter(unpublish_at__gt=now).values_list("unpublish_at", flat=True))
    if not queries:
        return None
    moments = list(queries[0].union(*queries[1:]))
    return min(moments, default=None)


def next_publication_changes(models_, now):
    """{model: the next moment after ``now`` when one of its objects appears or disappears} (None if none).

    One query for every model (the earliest future ``publish_at`` or ``unpublish_at`` of the
    published rows of each model that has them), so that the page cache renews only the section
    of the model whose moment has come (core/cache.py).
    """
    from django.db.models import CharField, Value

    queries, labels = [], {}
    for model in models_:
        names = {field.name for field in model._meta.concrete_fields}
        if not {"published", "publish_at", "unpublish_at"} <= names:
            continue
        labels[model._meta.label_lower] = model
        rows = model._default_manager.filter(published=True).order_by()
        label = Value(model._meta.label_lower, output_field=CharField())
        for field_name in ("publish_at", "unpublish_at"):
            queries.append(
                rows.filter(**{f"{field_name}__gt": now})
                .annotate(model_label=label)
                .values_list("model_label", field_name)
            )
    changes = dict.fromkeys(labels.values())
    if not queries:
        return changes
    for label, moment in queries[0].union(*queries[1:]):
        model = labels[label]
        if moment is not None and (changes[model] is None or moment < changes[model]):
            changes[model] = moment
    return changes
