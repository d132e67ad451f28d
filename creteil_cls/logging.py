"""Structured logs without personal data (issue 5, item 2; docs/exploitation-journaux.md).

``JSONFormatter`` writes one JSON object per line: time, level, logger, message, the request's
method, path (never its query string) and status when the record has them, and the exception's
type and traceback. ``PersonalDataFilter``, on the handler, keeps out of every record what could
identify a person: the query string of any ``/mutuelle/…`` address (the eligibility answers are
household size, income and ages) or ``/admin/…`` address (the agents search requests by name), and
the exception message of an error raised while serving those (a database or mail error can quote a
field's value). Request bodies are never written: no formatter here reads them, and error mails
(which would) are switched off in settings.
"""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

from django.http import HttpRequest

# A /mutuelle/ or /admin/ address followed by a query string, in a request line, a URL or a referrer.
PERSONAL_QUERY = re.compile(r"(/(?:mutuelle|admin)(?:/[^?\s\"']*)?)\?[^\s\"']*")
PERSONAL_PREFIXES = ("/mutuelle", "/admin")


def traceback_without_message(exc_info):
    """The frames and the exception's type only: its message may quote what the person typed."""
    exc_type, _exc_value, exc_traceback = exc_info
    return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc_traceback)) + exc_type.__name__


def strip_personal_queries(value):
    return PERSONAL_QUERY.sub(r"\1", value) if isinstance(value, str) else value


class PersonalDataFilter(logging.Filter):
    """Rewrites records in place; never drops one."""

    def filter(self, record):
        record.msg = strip_personal_queries(record.msg)
        if isinstance(record.args, dict):  # gunicorn's access log: a mapping of "atoms"
            for key, value in list(record.args.items()):
                record.args[key] = strip_personal_queries(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(strip_personal_queries(value) for value in record.args)
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") if isinstance(request, HttpRequest) else ""
        if path.startswith(PERSONAL_PREFIXES):
            record.personal_data = True
            if record.exc_info and record.exc_info[0] is not None:
                # What the plain text formatter prints in place of the full traceback.
                record.exc_text = traceback_without_message(record.exc_info)
        return True


def request_fields(record):
    """Method, path and status of the request a record is about (Django's or gunicorn's)."""
    fields = {}
    request = getattr(record, "request", None)
    if isinstance(request, HttpRequest):
        fields = {"method": request.method, "path": request.path}
    elif record.name == "gunicorn.access" and isinstance(record.args, dict):
        fields = {"method": record.args.get("m"), "path": record.args.get("U")}
        if str(record.args.get("s", "")).isdigit():
            fields["status"] = int(record.args["s"])
    status = getattr(record, "status_code", None)
    if status is not None:
        fields["status"] = status
    return fields


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **request_fields(record),
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type = record.exc_info[0]
            entry["exception"] = exc_type.__name__
            if getattr(record, "personal_data", False):
                entry["traceback"] = traceback_without_message(record.exc_info)
            else:
                entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
