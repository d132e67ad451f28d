"""French grammar for the names of models: gender, number, articles, elision.

Django pastes a model's ``verbose_name`` into fixed sentences (« Ajout de action »). French needs
the name's gender (« une action », « un événement »), its number (« les réglages du site ») and
elision (« l’action », « de l’événement »). Each model says its name's gender beside its
``verbose_name``, as a class attribute ``grammatical_gender``: ``"m"`` or ``"f"``, ``"mpl"`` or
``"fpl"`` for a name that is plural even for one object (« réglages du site »). The models of
Django and of the packages get theirs in staff/apps.py, django-simple-history's versions in
core/history.py. The admin's sentences built from these are in staff/wording.py.
"""

from dataclasses import dataclass

from django.utils.text import capfirst

GENDERS = {"m", "f", "mpl", "fpl"}
# « l’ » before a vowel or a mute h (all the h of the admin's names are mute: « historique »).
ELIDED_INITIALS = set("aàâäeéèêëiîïoôöuùûüyh")


def gender_of(model):
    """The grammatical gender declared by ``model`` (masculine, the French default, if none)."""
    gender = getattr(model, "grammatical_gender", "m")
    if gender not in GENDERS:
        raise ValueError(f"{model.__name__}.grammatical_gender doit valoir m, f, mpl ou fpl, pas {gender!r}")
    return gender


@dataclass(frozen=True)
class Noun:
    """A model's name with its articles: ``Noun.of(Action).un`` is « une action »."""

    singular: str
    plural: str
    gender: str = "m"

    @classmethod
    def of(cls, model_or_opts):
        opts = getattr(model_or_opts, "_meta", model_or_opts)
        return cls(str(opts.verbose_name), str(opts.verbose_name_plural), gender_of(opts.model))

    @property
    def feminine(self):
        return self.gender.startswith("f")

    @property
    def always_plural(self):
        return self.gender.endswith("pl")

    @property
    def elided(self):
        return self.singular[:1].lower() in ELIDED_INITIALS

    @property
    def un(self):
        """« une action », « un événement », « des réglages du site »."""
        if self.always_plural:
            return f"des {self.singular}"
        return f"{'une' if self.feminine else 'un'} {self.singular}"

    @property
    def d_un(self):
        """« d’une action », « d’un partenaire », « de réglages du site »."""
        if self.always_plural:
            return f"de {self.singular}"
        return f"d’{self.un}"

    @property
    def le(self):
        """« l’action », « le partenaire », « la formule », « les réglages du site »."""
        if self.always_plural:
            return f"les {self.singular}"
        if self.elided:
            return f"l’{self.singular}"
        return f"{'la' if self.feminine else 'le'} {self.singular}"

    @property
    def du(self):
        """« de l’action », « du partenaire », « de la formule », « des réglages du site »."""
        if self.always_plural:
            return f"des {self.singular}"
        if self.elided:
            return f"de l’{self.singular}"
        return "de la " + self.singular if self.feminine else f"du {self.singular}"

    @property
    def les(self):
        """« les actions »."""
        return f"les {self.plural}"

    @property
    def des(self):
        """« des actions » (after « ajouter »), « des événements »."""
        return f"des {self.plural}"

    def agree_plural(self, participle):
        """A past participle agreeing with the plural: « sélectionnées » for actions."""
        return f"{participle}{'es' if self.feminine else 's'}"

    # The admin's sentences -----------------------------------------------------------------

    @property
    def add_title(self):
        return f"Ajout {self.d_un}"

    @property
    def change_title(self):
        return f"Modification {self.du}"

    @property
    def view_title(self):
        return f"Consultation {self.du}"

    @property
    def delete_title(self):
        return f"Suppression {self.du}"

    def changelist_title(self, *, popup=False, can_change=True):
        if self.always_plural:
            return capfirst(self.plural)
        if popup:
            return f"Choisir {self.un}"
        return f"Choisir {self.un} à {'modifier' if can_change else 'consulter'}"

    @property
    def delete_selected(self):
        """« Supprimer les actions sélectionnées »."""
        return f"Supprimer {self.les} {self.agree_plural('sélectionné')}"

    @property
    def delete_selected_title(self):
        return f"Suppression {self.des_selected}"

    @property
    def des_selected(self):
        """« des actions sélectionnées » (« de » + « les »)."""
        return f"des {self.plural} {self.agree_plural('sélectionné')}"
