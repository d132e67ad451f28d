"""Indexes of the agenda (issue 13): EXPLAIN at 10,000 events on PostgreSQL, docs/performances.md.

- ``event_updated_at_idx`` (every database): the calendars' freshness reads the latest change of
  the events in one step (events/calendars.py).
- PostgreSQL only: the published events by end, with what the upcoming lists read besides
  (``/agenda/``'s count, ``agenda.ics`` and the feed, the month, the sitemap of events and its
  last change, the results' events held).
"""

from django.db import migrations, models

from core.migration_helpers import postgres_index


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_list_indexes"),
        ("events", "0016_portal_registrations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["updated_at"], name="event_updated_at_idx"),
        ),
        postgres_index(
            "event_public_end_idx",
            "events_event",
            '("end") INCLUDE (id, publish_at, unpublish_at, action_id, place_id, updated_at) WHERE published',
        ),
    ]
