"""The journal of what left the back-office: every export of personal data, who, when, what.

Written in Django's admin log (``LogEntry``, beside the agents' other changes): one entry per
request whose data went into a file or onto a page — who (the user), when (the entry's time),
what (the request, the kind of export and the size of the file). An entry carries the request's
reference, never a name, a phone number or an address. Its message starts as every export's does
(``staff.journal.export_message``), so the administrator's journal lists it among the exports.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from staff.journal import export_message

# How many entries of a request's journal its change page shows (newest first).
JOURNAL_LENGTH = 30


def requests_export_journal(*, user, interest_requests, file_format):
    """Journal an export of the list of requests (``file_format``: « CSV », « XLSX »): one entry per request.

    ``interest_requests`` is the queryset that was exported (two queries whatever its size).
    """
    objs = list(interest_requests.select_related(None).only("pk", "reference"))
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=objs,
        action_flag=CHANGE,
        change_message=export_message(f"liste des demandes ({file_format}, {len(objs)} demande(s))."),
    )
    return len(objs)


def request_access_journal(*, user, interest_request, what):
    """Journal a copy of everything held on one person (right of access): ``what`` says which form."""
    return LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[interest_request],
        action_flag=CHANGE,
        change_message=export_message(f"droit d’accès, {what}."),
        single_object=True,
    )


def request_journal(*, interest_request, limit=JOURNAL_LENGTH):
    """The newest entries of the admin log about one request (changes, exports, erasure), their users joined."""
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(interest_request), object_id=str(interest_request.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )
