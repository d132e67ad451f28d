"""The initial content of ``core``, loaded by ``python manage.py load_cls_content``.

Two loaders, called explicitly by the command: the site's settings first (every page shows them),
the search's synonyms last (the search texts are rebuilt once every row and relation exists).
Both are idempotent and never touch what editors changed.

Site settings: only what the sources say: the CCAS Prévention-Santé service and its phone
(seeds, FACTS.md), the City as publisher and its mayor as publication director. The service's
address and opening hours, the publisher's address and the host are not known yet: left empty,
the pages show « à confirmer » and the editors fill them in the admin.

Synonyms: what residents type (left) and the words the portal's texts use (right). Only bridges
between words, never a fact: « grippe » leads to the vaccination pages because the flu is
prevented by a vaccine, not because the portal announces a flu campaign. « diabète » has no
entry: no action of the contract speaks of it, and the search then offers the CCAS phone and the
main ways in. Editors add, change or delete them in the admin (« Synonymes de la recherche »):
the list is loaded only while the table is empty, so their changes and deletions stay.
"""

from django.conf import settings

from core.history import CHANGE_REASON
from core.search import SearchableModel
from core.site_settings import SINGLETON_PK, SiteSettings
from core.synonyms import Synonym

INITIAL_SETTINGS = {
    "city_name": "Ville de Créteil",
    "ccas_name": "Service Prévention-Santé du CCAS de Créteil",
    "ccas_phone": settings.CCAS_PHONE,
    "publisher_name": "Ville de Créteil et son centre communal d’action sociale (CCAS)",
}


def load_site_settings(*, today):
    """Create the site's settings if they do not exist yet; returns the command's summary line."""
    if SiteSettings.objects.filter(pk=SINGLETON_PK).exists():
        return [("Réglages du site", False, (0, 1))]
    site_settings = SiteSettings(**INITIAL_SETTINGS)
    site_settings.full_clean()
    site_settings._change_reason = CHANGE_REASON
    site_settings.save()
    return [("Réglages du site", False, (1, 0))]


SYNONYMS = [
    ("docteur", "médecin"),
    ("généraliste", "médecin"),
    ("toubib", "médecin"),
    ("consultation", "médecin"),
    ("médecin de garde", "Sami"),
    ("personnes âgées", "seniors"),
    ("personne âgée", "seniors"),
    ("âgés", "seniors"),
    ("retraités", "seniors"),
    ("aînés", "seniors"),
    ("fumer", "tabac"),
    ("cigarette", "tabac"),
    ("arrêter de fumer", "tabac"),
    ("psy", "psychologue, psychologie, psychique"),
    ("psychologue", "psychologie, psychique"),
    ("santé mentale", "psychique, psychologie"),
    ("déprime", "santé mentale, psychique"),
    ("stress", "psychique, psychologie"),
    ("dents", "bucco-dentaire"),
    ("dentiste", "bucco-dentaire"),
    ("caries", "bucco-dentaire"),
    ("complémentaire", "mutuelle"),
    ("assurance santé", "mutuelle, complémentaire santé"),
    ("CMU", "complémentaire santé solidaire"),
    ("C2S", "complémentaire santé solidaire"),
    ("vaccin", "vaccination"),
    ("vacciner", "vaccination"),
    ("grippe", "vaccination"),
    ("piqûre", "vaccination"),
    ("manger", "nutrition, alimentation"),
    ("régime", "nutrition"),
    ("sport", "activité physique"),
    ("bouger", "activité physique"),
    ("enceinte", "grossesse, périnatalité"),
    ("bébé", "petite enfance, périnatalité"),
    ("ados", "adolescents, jeunes"),
    ("téléphone portable", "écrans"),
    ("contraception", "vie affective"),
    ("IST", "santé sexuelle"),
    ("mammographie", "cancer du sein"),
    ("mairie", "Hôtel de Ville"),
]


def load_search_synonyms(*, today):
    """Create the missing synonyms, then rebuild the texts the search reads; for ``load_cls_content``.

    The rebuild covers rows created before the search read related names (themes, audiences…)
    and is cheap on the initial content; it never changes what editors wrote.
    """
    created = 0
    if Synonym.objects.exists():  # the editors own the list once it is loaded: deletions stay deleted
        rebuild_search_texts()
        return [("Synonymes de la recherche", False, (0, Synonym.objects.count()))]
    for term, equivalents in SYNONYMS:
        synonym = Synonym(term=term, equivalents=equivalents)
        synonym.full_clean()
        synonym._change_reason = CHANGE_REASON
        synonym.save()
        created += 1
    rebuild_search_texts()
    return [("Synonymes de la recherche", False, (created, 0))]


def rebuild_search_texts():
    """Every searchable model's texts and vectors, rebuilt from its rows."""
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, SearchableModel):
            model.refresh_search_vectors()
