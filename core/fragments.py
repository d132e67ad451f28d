"""Fragments of pages kept in each worker's memory, keyed by everything they are computed from.

A page that lists many objects (the agenda's calendar feed: 200 events) spends most of its time
turning each object into its piece of text. ``Fragments`` keeps each piece under a key made of
the values the piece is computed from: the loaded columns of the rows it reads (``row_key``), and
whatever else it shows (the site's settings, the host of absolute addresses). An edit changes the
key of the pieces that show the edited row, and only those: they are computed again, the others
are reused; a stale piece can never be found, since the key is the content itself, whatever way
the row changed (a save, ``QuerySet.update()``, a migration, another worker).

Bounded: the least recently used pieces are dropped past ``max_entries``.
"""

import threading
from collections import OrderedDict

_NOT_LOADED = object()


def row_key(obj):
    """The key of a model instance's row: its model and its loaded columns (None for no object).

    Every concrete field that was loaded, deferred ones left out (not read: a fragment that read
    one would have loaded it first); the model's label tells apart two models' rows.
    """
    if obj is None:
        return None
    loaded = obj.__dict__
    return (obj._meta.label, *(loaded.get(field.attname, _NOT_LOADED) for field in obj._meta.concrete_fields))


class Fragments:
    """A bounded table of computed fragments, in this process (see the module's docstring)."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self._table = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        """The fragment kept under ``key``, else ``build()``, kept under it."""
        with self._lock:
            found = self._table.get(key)
            if found is not None:
                self._table.move_to_end(key)
                return found
        value = build()
        with self._lock:
            self._table[key] = value
            while len(self._table) > self.max_entries:
                self._table.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._table.clear()

    def __len__(self):
        return len(self._table)
