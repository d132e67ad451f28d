"""Structured logs without personal data (issue 5, item 2; docs/exploitation-journaux.md).

``JSONFormatter`` writes one JSON object per line: time, level, logger, message, the request's
method, path (never its query string) and status when the record has them, and the exception's
type and traceback. ``PersonalDataFilter``, on the handler, keeps out of every record what could
identify a person: the query string of any ``/mutuelle/…`` address (the eligibility answers are
household size, income and ages) or ``/admin/…`` address (the agents search requests by name), and
the exception message of an error raised while serving those (a database or mail error can quote a
field's value). Request bodies are never written: no formatter here reads them, and error mails
(which would) are switched off in settings.

An address is recognised by its path as a server would route it, not as typed: percent-decoded
(``/%6Dutuelle/``), repeated slashes collapsed (``//mutuelle/``), dot segments resolved, compared
case-insensitively (``/MUTUELLE/``). Gunicorn's access log hands over its « atoms »: the query string
of the request line (``r``), of the referrer (``f``) and of any URL-like atom is dropped as in a
message, and the query string alone (``q``, ``{query_string}e``) is emptied when the request's path
is personal, whether ``access_log_format`` prints it or not.
"""

import json
import logging
import posixpath
import re
import traceback
from datetime import UTC, datetime
from urllib.parse import unquote

from django.http import HttpRequest

# An address followed by a query string, in a request line, a message or a referrer: an optional
# scheme and host, the path (as typed, maybe percent-encoded), then the query up to a space or a quote.
URL_WITH_QUERY = re.compile(r"(?P<origin>[A-Za-z][A-Za-z0-9+.-]*://[^/?\s\"']*)?(?P<path>/[^?\s\"']*)\?[^\s\"']*")
# The paths whose query strings are personal, compared with the normalised path (lower case).
PERSONAL_PREFIXES = ("/mutuelle", "/admin")
# A scheme and host in front of a path (an absolute request target, a referrer).
_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?\s\"']*")
_REPEATED_SLASHES = re.compile(r"/{2,}")
# Percent-decoding is repeated until nothing changes (``%256D`` is ``%6D`` is ``m``), this many times at most.
_MAX_DECODINGS = 5
# Gunicorn's atoms (glogging.Logger.atoms) that hold the query string alone, without its path.
QUERY_ATOMS = ("q", "{query_string}e")
# Gunicorn's atoms that hold the request's path (``U`` and PATH_INFO decoded, RAW_URI as sent).
PATH_ATOMS = ("U", "{path_info}e", "{raw_uri}e")


def traceback_without_message(exc_info):
    """The frames and the exception's type only: its message may quote what the person typed."""
    exc_type, _exc_value, exc_traceback = exc_info
    return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc_traceback)) + exc_type.__name__


def normalised_paths(path):
    """``path`` as servers may route it, lower-cased: percent-decoded and slashes collapsed, as it is
    and with its dot segments resolved (nginx resolves them, Django does not)."""
    for _ in range(_MAX_DECODINGS):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    # A browser sends a backslash of an http(s) address as a slash; count it as one here too.
    path = _REPEATED_SLASHES.sub("/", path.replace("\\", "/")).lower()
    return (path, posixpath.normpath(path)) if path.startswith("/") else (path,)


def is_personal_path(path):
    """Whether ``path`` (a path, or an address without its query string) is under /mutuelle or /admin."""
    if not isinstance(path, str):
        return False
    path = _ORIGIN.sub("", path.split("?", 1)[0])
    return any(form.startswith(PERSONAL_PREFIXES) for form in normalised_paths(path))


def _without_personal_query(match):
    if is_personal_path(match["path"]):
        return (match["origin"] or "") + match["path"]
    return match[0]


def strip_personal_queries(value):
    """``value`` without the query string of any /mutuelle or /admin address it holds."""
    return URL_WITH_QUERY.sub(_without_personal_query, value) if isinstance(value, str) else value


def _request_target(request_line):
    """The address of a request line (« GET /path?query HTTP/1.1 »), or None."""
    parts = request_line.split(" ") if isinstance(request_line, str) else []
    return parts[1] if len(parts) >= 3 else None


def _personal_access(atoms):
    """Whether gunicorn's atoms are those of a request to a /mutuelle or /admin address."""
    paths = [atoms.get(key) for key in PATH_ATOMS] + [_request_target(atoms.get("r"))]
    return any(is_personal_path(path) for path in paths)


class PersonalDataFilter(logging.Filter):
    """Rewrites records in place; never drops one."""

    def filter(self, record):
        record.msg = strip_personal_queries(record.msg)
        if isinstance(record.args, dict):  # gunicorn's access log: a mapping of "atoms"
            personal = _personal_access(record.args)
            for key, value in list(record.args.items()):
                if personal and key in QUERY_ATOMS:
                    record.args[key] = ""  # as gunicorn logs a request without a query string
                else:
                    record.args[key] = strip_personal_queries(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(strip_personal_queries(value) for value in record.args)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and is_personal_path(request.path):
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
