"""A staff session ends a fixed time after its login, active or not (settings SESSION_HARD_LIMIT_SECONDS)."""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

# Where the session keeps the time of the login, for the hard limit.
SESSION_LOGIN_TIME_KEY = "cls_login_time"


def remember_login_time(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: the start of the session, for the hard limit."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_TIME_KEY] = int(timezone.now().timestamp())


class SessionHardLimitMiddleware:
    """Ends a logged-in session ``DJANGO_SESSION_HARD_LIMIT_HOURS`` after its login, active or not.

    Inactivity is Django's business (``SESSION_COOKIE_AGE`` renewed on every request); this is
    the upper bound, so that a session left open on a shared counter computer does not live on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            started = request.session.get(SESSION_LOGIN_TIME_KEY)
            if started is None:
                request.session[SESSION_LOGIN_TIME_KEY] = now
            elif now - started > settings.SESSION_HARD_LIMIT_SECONDS:
                logout(request)
        return self.get_response(request)
