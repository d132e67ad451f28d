"""Fill the database with N generated actions, N events and N partners, with their relations.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://… python -m bench.fill 1000

Meant for a database that already has its migrations and the initial content
(``load_cls_content``): the generated rows come on top of it, with themes, audiences,
neighbourhoods, partners, places and dates spread like real content (events over the past
month and the next three). Fast: ``bulk_create`` in batches, the search vectors rebuilt once
per model at the end, then ``VACUUM ANALYZE`` and ``CHECKPOINT``; no history records
(``bulk_create`` sends no signal).
"""

import argparse
import datetime
import itertools
import os
import random
import sys
import time

BATCH = 2000
SEED = 20260301


def link(relation, pairs):
    """Rows of a many-to-many relation (``Action.themes``…) from (object, related object) pairs, in bulk."""
    through = relation.through
    source, target = relation.field.m2m_column_name(), relation.field.m2m_reverse_name()
    through.objects.bulk_create(
        (through(**{source: obj.pk, target: related.pk}) for obj, related in pairs), batch_size=BATCH
    )


def fill(n, *, seed=SEED, out=sys.stdout):
    from django.db import connection, transaction
    from django.utils import timezone

    from actions.enums import ActionKind, ActionStatus
    from actions.models import Action, Audience, Axis, Neighbourhood, Theme
    from core.search import search_text_of
    from events.enums import EventStatus, Registration
    from events.models import Event, Place
    from partners.enums import PartnerKind
    from partners.models import Partner

    rng = random.Random(seed)
    started = time.monotonic()
    axes = list(Axis.objects.all())
    themes = list(Theme.objects.all())
    audiences = list(Audience.objects.all())
    neighbourhoods = list(Neighbourhood.objects.all())
    if not (axes and themes and audiences and neighbourhoods):
        raise SystemExit("Chargez d’abord le contenu initial : manage.py load_cls_content")
    words = [
        "santé",
        "prévention",
        "dépistage",
        "ateliers",
        "nutrition",
        "sommeil",
        "mémoire",
        "diabète",
        "vaccination",
        "addictions",
        "parentalité",
        "écrans",
        "activité",
        "physique",
        "bien-être",
        "accès",
        "aux",
        "droits",
        "soins",
        "dentaires",
        "vision",
        "audition",
        "cancer",
        "du",
        "sein",
        "santé",
        "mentale",
        "écoute",
        "jeunes",
        "seniors",
        "quartier",
        "alimentation",
        "air",
        "intérieur",
    ]

    def sentence(count):
        return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."

    def searchable(obj):
        obj.search_text = search_text_of(obj.raw_search_parts())
        return obj

    # Everything generated is published: new content is a draft by default (issue 12), and the
    # bench measures the pages residents see.
    with transaction.atomic():
        partners = Partner.objects.bulk_create(
            (
                searchable(
                    Partner(
                        name=f"Partenaire généré {i}",
                        slug=f"partenaire-genere-{i}",
                        kind=rng.choice(PartnerKind.values),
                        # The contract's signatories are those of the initial content (9 to 12,
                        # shared/FACTS.md): they do not grow with the number of partners.
                        is_signatory=False,
                        description=sentence(30),
                        role_in_cls=sentence(12),
                        website=f"https://partenaire-{i}.example.org/",
                        phone="01 49 80 88 68",
                        order=100 + i,
                        published=True,
                    )
                )
                for i in range(n)
            ),
            batch_size=BATCH,
        )
        actions = Action.objects.bulk_create(
            (
                searchable(
                    Action(
                        title=f"Action générée {i} : {sentence(3)[:-1].lower()}",
                        slug=f"action-generee-{i}",
                        axis=axes[i % len(axes)],
                        summary=sentence(14)[:300],
                        body="\n\n".join(sentence(40) for _ in range(3)),
                        how_to_join=sentence(12),
                        kind=ActionKind.PROGRAMME if i % 3 else ActionKind.WORKSHOPS,
                        status=ActionStatus.ONGOING,
                        lead_partner=partners[i % len(partners)] if partners else None,
                        contact_name="Équipe Prévention-Santé",
                        contact_phone="01 49 80 88 68",
                        featured=i % 200 == 0,
                        published=True,
                    )
                )
                for i in range(n)
            ),
            batch_size=BATCH,
        )
        link(
            Action.themes, ((action, theme) for action in actions for theme in rng.sample(themes, min(2, len(themes))))
        )
        link(
            Action.audiences,
            ((action, audience) for action in actions for audience in rng.sample(audiences, min(2, len(audiences)))),
        )
        link(Action.neighbourhoods, ((action, rng.choice(neighbourhoods)) for action in actions))
        link(
            Action.partners,
            ((action, partner) for action in actions for partner in rng.sample(partners, min(2, len(partners)))),
        )
        places = Place.objects.bulk_create(
            Place(
                name=f"Lieu généré {i}",
                slug=f"lieu-genere-{i}",
                address=f"{i + 1} avenue du Général-de-Gaulle, 94000 Créteil",
                neighbourhood=neighbourhoods[i % len(neighbourhoods)],
                accessibility_notes="Accès de plain-pied.",
                serves_moteur=True,
                published=True,
            )
            for i in range(max(5, n // 20))
        )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        events = []
        for i, action in zip(range(n), itertools.cycle(actions)):
            start = now + datetime.timedelta(hours=rng.randrange(-30 * 24, 90 * 24))
            events.append(
                searchable(
                    Event(
                        title=f"Événement généré {i} : {sentence(2)[:-1].lower()}",
                        slug=f"evenement-genere-{i}",
                        action=action,
                        place=places[i % len(places)],
                        start=start,
                        end=start + datetime.timedelta(hours=2),
                        description=sentence(40),
                        registration=Registration.RECOMMENDED if i % 4 == 0 else Registration.NONE,
                        registration_phone="01 49 80 88 68" if i % 4 == 0 else "",
                        status=EventStatus.CANCELLED if i % 37 == 0 else EventStatus.SCHEDULED,
                        published=True,
                    )
                )
            )
        events = Event.objects.bulk_create(events, batch_size=BATCH)
        link(Event.audiences, ((event, rng.choice(audiences)) for event in events))
        for model in (Partner, Action, Event, Place):
            model.refresh_search_vectors()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction: no VACUUM)
        # What autovacuum does soon after such a load, done at once: fresh statistics (without them
        # the planner expects a handful of rows where there are thousands, and picks nested loops),
        # and the vacuum itself: the GIN indexes' pending entries merged (until then each search
        # reads them one by one), the dead versions of the rows that the search texts rewrote
        # marked free, the visibility map set. A server whose autovacuum is off (a shared
        # development machine) would otherwise measure a database no production server keeps.
        # Then a checkpoint: the hundreds of megabytes that the load wrote are flushed now, not by
        # a checkpoint spread over the next minutes, while the benchmark measures.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    print(
        f"{n} actions, {n} événements, {n} partenaires et {len(places)} lieux créés "
        f"en {time.monotonic() - started:.1f} s.",
        file=out,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description="Remplit la base avec N actions, événements et partenaires.")
    parser.add_argument("n", type=int, help="nombre d’actions, d’événements et de partenaires à créer")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    fill(args.n)


if __name__ == "__main__":
    main()
