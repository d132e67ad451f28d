"""The first page of the admin: what waits for each person, by role (issue 12 §2).

Three sections, each shown to the people of one role; a person in several groups sees several:

- « Rédaction » (the editors' group): their drafts, the scheduled publications and withdrawals,
  the events to complete (registered by ``events``), the latest changes of the content;
- « Mutuelle » (the mutuelle agents' group): the queue's figures (registered by ``mutuelle``);
- « Administration » (superusers, and whoever manages the accounts): staff accounts without
  two-factor authentication, recent lockouts, the out-of-date reference data (``mutuelle``).

A person in no group (and no administrator) sees the list of models only. ``staff`` imports
no app above it: an app adds its blocks with ``register_dashboard_block`` in its ``ready()``;
the rules stay in the apps' querysets, a block only asks them and links every figure to the
change list filtered on the same rows. Each block makes a fixed number of queries, whatever the
amount of content.
"""

from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst

from core import dates
from core.admin import PublicationFilter, plural_fr
from core.grammar import Noun
from core.history import changed_by_q
from core.publication import draft_q, publishable_models, scheduled_change_q

from .accounts import users_with_account_overview
from .groups import EDITORS_GROUP, MUTUELLE_GROUP
from .journal import can_view_journal, journal_rows, page_entries
from .lockout import RECENT_LOCKOUT_DAYS, RecentLockoutFilter, recent_lockouts

EDITORS, MUTUELLE, ADMINISTRATION = "redaction", "mutuelle", "administration"
RECENT_CHANGES = 8
TABLE_ROWS = 10


@dataclass
class Figure:
    """« 3 nouvelles demandes », linked to the list of those rows; ``alert``: something to do."""

    text: str
    count: int
    url: str = ""
    alert: bool = False


@dataclass
class Table:
    caption: str
    headers: list
    rows: list  # each row a list of cells: (text, url or "")
    more: Figure | None = None


@dataclass
class Block:
    title: str
    figures: list = field(default_factory=list)
    table: Table | None = None
    messages: list = field(default_factory=list)  # Figures without a count: alerts, plain notes
    empty: str = ""  # said when there are no figures, no table and no messages


@dataclass
class Section:
    key: str
    title: str
    intro: str
    blocks: list


SECTIONS = {
    EDITORS: ("Rédaction", "Ce qui attend l’équipe de rédaction."),
    MUTUELLE: ("Mutuelle communale", "Les demandes d’information à traiter et les données de référence."),
    ADMINISTRATION: ("Administration", "Les comptes et les données de référence à surveiller."),
}

# {section: [(order, builder)]}; a builder(request, now) returns a Block, or None (nothing the
# person may see).
_BLOCKS = {key: [] for key in SECTIONS}


def register_dashboard_block(section, builder, *, order=50):
    """Add ``builder(request, now) -> Block | None`` to a section (apps call it in ``ready()``)."""
    entries = _BLOCKS[section]
    if all(existing is not builder for _order, existing in entries):
        entries.append((order, builder))
        entries.sort(key=lambda entry: entry[0])


def is_administrator(user):
    """Superusers, and whoever manages the accounts (may change them)."""
    return user.is_superuser or user.has_perm(f"{settings.AUTH_USER_MODEL.split('.')[0]}.change_user")


def roles_of(user):
    """The dashboard's sections for ``user``, in the page's order (one query: the groups)."""
    if not (user.is_active and user.is_staff):
        return []
    groups = set(user.groups.values_list("name", flat=True))
    roles = []
    if EDITORS_GROUP in groups:
        roles.append(EDITORS)
    if MUTUELLE_GROUP in groups:
        roles.append(MUTUELLE)
    if is_administrator(user):
        roles.append(ADMINISTRATION)
    return roles


def build_dashboard(request, now=None):
    """The sections ``request.user`` sees; a block shared by two of their sections shows once."""
    now = now or timezone.now()
    sections, seen = [], set()
    for key in roles_of(request.user):
        blocks = []
        for _order, builder in _BLOCKS[key]:
            if builder in seen:
                continue
            seen.add(builder)
            block = builder(request, now)
            if block is not None:
                blocks.append(block)
        if blocks:
            title, intro = SECTIONS[key]
            sections.append(Section(key=key, title=title, intro=intro, blocks=blocks))
    return sections


def changelist_url(model, **params):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def count_of(model, count):
    """« 1 action », « 3 événements » (the model's own French names)."""
    noun = Noun.of(model)
    return plural_fr(count, f"{{count}} {noun.singular}", f"{{count}} {noun.plural}")


# Rédaction -------------------------------------------------------------------------------------


def _viewable_publishable_models(user):
    return [
        model
        for model in publishable_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


def _counts_by_model(request, q_of, filter_value):
    """Per kind of content the person may see: its rows matching ``q_of(model)`` (if any),
    and the figures « 3 actions » linked to the list filtered on ``filter_value``. Two queries per model."""
    found, figures = [], []
    for model in _viewable_publishable_models(request.user):
        rows = model._default_manager.filter(q_of(model))
        count = rows.count()
        if count:
            url = changelist_url(model, **{PublicationFilter.parameter_name: filter_value})
            figures.append(Figure(text=count_of(model, count), count=count, url=url))
            found.append(rows)
    return found, figures


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _content_cell(obj):
    return (f"{capfirst(Noun.of(type(obj)).singular)} « {obj} »", _change_url(obj))


def my_drafts_block(request, now):
    """The drafts the person created or changed: a count per kind of content, and the latest of them."""
    found, figures = _counts_by_model(
        request, lambda model: draft_q() & changed_by_q(model, request.user), PublicationFilter.MY_DRAFTS
    )
    block = Block(title="Mes brouillons", figures=figures, empty="Vous n’avez aucun brouillon en cours.")
    drafts = []
    for rows in found:
        drafts.extend(rows.order_by("-updated_at", "-pk")[:TABLE_ROWS])
    if drafts:
        drafts.sort(key=lambda obj: obj.updated_at, reverse=True)
        block.table = Table(
            caption="Mes derniers brouillons, à relire puis publier (heure de Paris)",
            headers=["Modifié le", "Contenu"],
            rows=[[(dates.short_datetime(obj.updated_at), ""), _content_cell(obj)] for obj in drafts[:TABLE_ROWS]],
        )
    return block


def scheduled_block(request, now):
    """Published content that will appear or disappear at a date to come, the nearest first."""
    found, figures = _counts_by_model(request, lambda model: scheduled_change_q(now), PublicationFilter.SCHEDULED)
    block = Block(
        title="Publications et retraits programmés",
        figures=figures,
        empty="Aucune publication ni aucun retrait n’est programmé.",
    )
    changes = []
    for rows in found:
        next_change = Case(When(publish_at__gt=now, then=F("publish_at")), default=F("unpublish_at"))
        nearest = rows.annotate(next_change=next_change).order_by("next_change", "pk")
        for obj in nearest[:TABLE_ROWS]:
            if obj.publish_at and obj.publish_at > now:
                changes.append((obj.publish_at, "Mise en ligne", obj))
            if obj.unpublish_at and obj.unpublish_at > now:
                changes.append((obj.unpublish_at, "Retrait", obj))
    if changes:
        changes.sort(key=lambda change: change[0])
        block.table = Table(
            caption="Les prochains changements programmés (heure de Paris)",
            headers=["Le", "Changement", "Contenu"],
            rows=[
                [(dates.short_datetime(moment), ""), (change, ""), _content_cell(obj)]
                for moment, change, obj in changes[:TABLE_ROWS]
            ],
        )
    return block


def recent_changes_block(request, now):
    """The latest versions of the content the person may see (the journal's query, cut short)."""
    models = _viewable_publishable_models(request.user)
    if not models:
        return None
    types = ContentType.objects.get_for_models(*models)  # cached after the first time
    models_by_type = {types[model].pk: model for model in models}
    rows = list(journal_rows(models_by_type=models_by_type, exports=False)[:RECENT_CHANGES])
    entries = page_entries(rows, models_by_type)
    table_rows = [
        [
            (dates.short_datetime(entry["date"]), ""),
            (f"{entry['kind']} « {entry['object']} »", entry["history_url"] or ""),
            (capfirst(entry["operation"]), ""),
            (_person(entry["user"]), ""),
        ]
        for entry in entries
    ]
    more = None
    if can_view_journal(request.user):
        more = Figure(text="Tout le journal des modifications", count=0, url=reverse("admin:journal"))
    if not table_rows:
        return Block(title="Modifications récentes", empty="Aucune modification pour l’instant.")
    return Block(
        title="Modifications récentes",
        table=Table(
            caption=f"Les {len(table_rows)} dernières modifications des contenus (heure de Paris)"
            if len(table_rows) > 1
            else "La dernière modification des contenus (heure de Paris)",
            headers=["Date", "Contenu", "Opération", "Par"],
            rows=table_rows,
            more=more,
        ),
    )


def _person(user):
    if user is None:
        return "Système"
    return user.get_full_name() or user.get_username()


# Administration --------------------------------------------------------------------------------


def accounts_without_two_factor_block(request, now):
    """Active staff accounts without a confirmed device (authenticator app or backup codes)."""
    user = request.user
    User = get_user_model()
    if not (user.is_superuser or user.has_perm(f"{User._meta.app_label}.view_user")):
        return None
    accounts = users_with_account_overview(User.objects.filter(is_staff=True, is_active=True)).filter(
        has_two_factor=False
    )
    count = accounts.count()
    title = "Comptes de l’équipe sans double authentification"
    if not count:
        return Block(title=title, empty="Tous les comptes de l’équipe utilisent la double authentification.")
    url = changelist_url(User, is_staff__exact=1, is_active__exact=1, double_authentification="non")
    rows = []
    for account in accounts.order_by("username")[:TABLE_ROWS]:
        groups = [group.name for group in account.groups.all()]
        required = account.is_superuser or MUTUELLE_GROUP in groups
        rows.append(
            [
                (account.get_username(), reverse(f"admin:{User._meta.app_label}_user_change", args=[account.pk])),
                (", ".join(groups) or ("Superutilisateur" if account.is_superuser else "—"), ""),
                ("Oui : à activer à la prochaine connexion" if required else "Non, conseillée", ""),
            ]
        )
    figure = Figure(
        text=plural_fr(
            count, "{count} compte sans double authentification", "{count} comptes sans double authentification"
        ),
        count=count,
        url=url,
        alert=True,
    )
    return Block(
        title=title,
        figures=[figure],
        table=Table(
            caption="Comptes actifs de l’équipe sans téléphone d’authentification ni codes de secours",
            headers=["Compte", "Groupes", "Obligatoire pour ce compte"],
            rows=rows,
            more=Figure(text="Voir la liste complète", count=count, url=url) if count > TABLE_ROWS else None,
        ),
    )


def recent_lockouts_block(request, now):
    """Usernames locked out after too many failed logins in the last days (superusers only, as their list)."""
    if not request.user.is_superuser:
        return None
    lockouts = recent_lockouts(now)
    count = lockouts.count()
    title = f"Blocages de connexion des {RECENT_LOCKOUT_DAYS} derniers jours"
    if not count:
        return Block(title=title, empty="Aucun compte n’a été bloqué.")
    url = changelist_url(AccessAttempt, **{RecentLockoutFilter.parameter_name: RecentLockoutFilter.RECENT})
    rows = [
        [
            (attempt.username or "—", ""),
            (dates.short_datetime(attempt.attempt_time), ""),
            (str(attempt.failures_since_start), ""),
        ]
        for attempt in lockouts.order_by("-attempt_time")[:TABLE_ROWS]
    ]
    figure = Figure(text=plural_fr(count, "{count} blocage", "{count} blocages"), count=count, url=url, alert=True)
    return Block(
        title=title,
        figures=[figure],
        table=Table(
            caption="Identifiants bloqués après trop d’échecs (heure de Paris)",
            headers=["Identifiant saisi", "Première tentative", "Échecs"],
            rows=rows,
            more=Figure(text="Voir la liste complète", count=count, url=url) if count > TABLE_ROWS else None,
        ),
    )


register_dashboard_block(EDITORS, my_drafts_block, order=10)
register_dashboard_block(EDITORS, scheduled_block, order=20)
register_dashboard_block(EDITORS, recent_changes_block, order=90)
register_dashboard_block(ADMINISTRATION, accounts_without_two_factor_block, order=10)
register_dashboard_block(ADMINISTRATION, recent_lockouts_block, order=20)
