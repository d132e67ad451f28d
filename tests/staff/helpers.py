"""What the staff-account tests share: the login wizard's posts, TOTP codes and a verified login."""

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "Mot-de-passe-solide-2026"
LOGIN_URL = "/admin/compte/connexion/"


def login_url(next_url="/admin/"):
    return f"{reverse('two_factor:login')}?next={next_url}"


def post_password(client, username, password=PASSWORD, **extra):
    """The wizard's first step: username and password."""
    return client.post(
        login_url(),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        **extra,
    )


def token_for(device, offset=0):
    """The code the authenticator app shows now (``offset`` steps later)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step, digits=device.digits)
    return f"{code:0{device.digits}d}"


def post_token(client, token):
    return client.post(login_url(), {"login_view-current_step": "token", "token-otp_token": token})


def add_device(user):
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def verified_login(client, user):
    """Log ``user`` in with a session verified by two-factor authentication, as the login wizard leaves it.

    Gives the user a confirmed TOTP device (the authenticator app) and stores it in the session
    the way ``django_otp.login`` does. Returns the device.
    """
    device = TOTPDevice.objects.filter(user=user, name="default").first() or TOTPDevice.objects.create(
        user=user, name="default", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def assert_sent_to_the_setup(client, response):
    """The password alone logged in an account that must enrol a phone: straight to the setup wizard.

    The session is not verified: the admin refuses it, and its login page sends to the setup too.
    """
    setup = reverse("two_factor:setup")
    assert response.status_code == 302
    assert response["Location"] == setup
    admin_response = client.get(reverse("admin:index"))
    assert admin_response.status_code == 302
    assert admin_response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login"))["Location"] == setup
    assert client.get(setup).status_code == 200
