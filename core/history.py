"""django-simple-history with French names for the history models (shown in the admin).

A version of an action is « version d’une action » (« versions des actions »), a version of its
partners « version des partenaires d’une action »: that is how a user's permissions name them
(staff/wording.py), rather than « historical action » and « HistoricalAction_partners ».
"""

from django.utils.functional import lazy
from simple_history.models import HistoricalRecords

from core.grammar import Noun

# The reason written in the history of every row that the initial content created (load_cls_content).
CHANGE_REASON = "Contenu initial"


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
