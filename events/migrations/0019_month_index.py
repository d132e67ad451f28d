"""Index of the month calendar (issue 13, target 2), PostgreSQL only.

``/agenda/<yyyy>/<mm>/`` reads every published event of the month (2,500 in a busy month at 10,000
events), a few narrow columns each: the published events by start, with those columns, let
PostgreSQL answer from the index alone instead of reading the whole table, whose rows are wide
(texts, search vector). EXPLAIN at N=10,000: 33 ms → 9 ms on a loaded machine (docs/performances.md).
"""

from django.db import migrations

from core.migration_helpers import postgres_index


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_registration_presence"),
    ]

    operations = [
        postgres_index(
            "event_public_start_idx",
            "events_event",
            '(start) INCLUDE ("end", id, title, slug, all_day, status, place_id, action_id, publish_at, unpublish_at) '
            "WHERE published",
        ),
    ]
