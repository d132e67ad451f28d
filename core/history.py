"""django-simple-history with French names for the history models (shown in the admin).

A version of an action is « version d’une action » (« versions des actions »), a version of its
partners « version des partenaires d’une action »: that is how a user's permissions name them
(staff/wording.py), rather than « historical action » and « HistoricalAction_partners ».
"""

from contextlib import contextmanager

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import lazy
from simple_history.models import HistoricalRecords

from core.grammar import Noun

# The reason written in the history of every row that the initial content created (load_cls_content).
CHANGE_REASON = "Contenu initial"
# The reason of a version the system wrote by itself (no user): a mail sent, a date set by a service.
SYSTEM_REASON = "Système"


def changed_by_q(model, user):
    """The rows of ``model`` that ``user`` created or changed (one of their versions is theirs), as a ``Q``.

    One ``EXISTS`` subquery on the model's history: a list stays bounded whatever its length.
    """
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    pk_name = model._meta.pk.attname
    return Q(Exists(manager.model.objects.filter(**{pk_name: OuterRef("pk")}, history_user=user)))


def automatic_fields(model):
    """Fields nobody types: automatic dates (``auto_now``, ``auto_now_add``) and those no form edits
    (``editable=False``: search index, calendar sequence, reference…). Noise in any version's changes."""
    return {
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and (not field.editable or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    }


def system_fields(model):
    """The fields the system sets, never a person: left out of what a person's version changed.

    The automatic fields, and those a model names in ``history_system_fields`` (e.g. the dates
    the mail service writes when a mail has gone, in a version of its own: ``record_system_change``).
    """
    return automatic_fields(model) | set(getattr(model, "history_system_fields", ()))


def record_system_change(instance):
    """A version of ``instance`` as it is now, credited to the system (no user, reason « Système »).

    For a service that writes fields with ``QuerySet.update()`` (no signal, no version): without
    it, the change would show in the next person's version as theirs.
    """
    instance._history_user = None
    instance._change_reason = SYSTEM_REASON
    try:
        type(instance).history.bulk_history_create([instance], update=True)
    finally:
        del instance._history_user, instance._change_reason


@contextmanager
def one_version(instance):
    """Relations set inside the block go into the instance's last version instead of one version each.

    Creating an action with its themes, audiences and partners is one change for the person who
    made it: the admin (``save_model`` then ``save_related``) and the initial content save the
    object (one version), then set its relations, each of which would add a version of its own.
    Inside the block they add none; after it, the last version's relations are those of now.
    """
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    records = getattr(type(instance), "_history_records", None)
    if records is None or not records.m2m_fields:
        return
    version = instance.history.order_by("-history_date", "-history_id").first()
    if version is None:
        return
    for field in version._history_m2m_fields:
        records.m2m_models[field].objects.filter(history=version).delete()
    records.create_historical_record_m2ms(version, instance)


def _version_names(model):
    noun = Noun.of(model)
    return (
        f"version {noun.du if noun.always_plural else noun.d_un}",
        f"versions {noun.du if noun.always_plural else noun.des}",
    )


def _relation_version_names(through_model):
    owner = through_model._meta.auto_created
    field = next(f for f in owner._meta.local_many_to_many if f.remote_field.through is through_model)
    noun = Noun.of(owner)
    return f"version des {field.verbose_name} {noun.d_un}", f"versions des {field.verbose_name} {noun.des}"


def _lazily(func):
    """A name computed when first read (the model's own names may be lazy, and its app not ready)."""
    return lazy(func, str)()


class FrenchHistoricalRecords(HistoricalRecords):
    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls._history_records = self  # for one_version(), which rewrites a version's relations

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            meta["verbose_name"] = _lazily(lambda: _version_names(model)[0])
        if not self.user_set_verbose_name_plural:
            meta["verbose_name_plural"] = _lazily(lambda: _version_names(model)[1])
        return meta

    def get_meta_options_m2m(self, through_model):
        meta = super().get_meta_options_m2m(through_model)
        meta["verbose_name"] = _lazily(lambda: _relation_version_names(through_model)[0])
        meta["verbose_name_plural"] = _lazily(lambda: _relation_version_names(through_model)[1])
        return meta

    def create_history_model(self, model, inherited):
        history_model = super().create_history_model(model, inherited)
        history_model.grammatical_gender = "f"  # « une version »
        return history_model

    def create_history_m2m_model(self, model, through_model):
        history_model = super().create_history_m2m_model(model, through_model)
        history_model.grammatical_gender = "f"
        return history_model
