"""Staff sessions end after inactivity, at browser close, and after a hard limit."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from staff.sessions import SESSION_LOGIN_TIME_KEY

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")


def test_the_defaults():
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_HARD_LIMIT_SECONDS == 10 * 3600


def test_the_session_cookie_dies_with_the_browser(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]


def test_each_request_pushes_the_expiry_back(admin_client):
    key = admin_client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert admin_client.get(reverse("admin:index")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + datetime.timedelta(minutes=110)


def test_an_idle_session_is_sent_back_to_the_login_page(admin_client):
    key = admin_client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


def test_a_session_past_the_hard_limit_is_closed_even_if_active(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    session = admin_client.session
    session[SESSION_LOGIN_TIME_KEY] -= settings.SESSION_HARD_LIMIT_SECONDS + 60
    session.save()
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    assert "_auth_user_id" not in admin_client.session


def test_anonymous_visitors_get_no_session(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
