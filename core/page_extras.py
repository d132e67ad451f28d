"""What an app adds to a page of an app below it, without that app knowing it (no side door, DESIGN §3).

The app that owns the page asks ``extras(page, obj)`` and includes each extra's template with
``data`` (its context); an app above registers a function for the page from its ``ready()`` with
``register_page_extra(page, function)``. ``function(obj)`` returns None (nothing to add for this
object) or an :class:`Extra`. For example the event's page (``events.event_detail``) shows the
slots left at a permanence of the mutuelle, which only ``mutuelle`` knows about.
"""

from dataclasses import dataclass, field

_registry = {}


@dataclass(frozen=True)
class Extra:
    template: str
    data: dict = field(default_factory=dict)


def register_page_extra(page, function):
    """Add ``function`` to ``page``'s extras (once, whatever the number of calls)."""
    functions = _registry.setdefault(page, [])
    if function not in functions:
        functions.append(function)


def extras(page, obj):
    """The extras of ``page`` for ``obj``, in the order they were registered."""
    found = (function(obj) for function in _registry.get(page, ()))
    return [extra for extra in found if extra is not None]
