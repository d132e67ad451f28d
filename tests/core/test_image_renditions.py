"""Renditions of the uploaded images (core/images.py) and the markup that offers them
(``{% responsive_image %}``, core/templatetags/images.py): issue 13, what a phone downloads."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template, TemplateSyntaxError
from PIL import Image

from core.images import RENDITION_WIDTHS, rendition_formats, rendition_name, rendition_widths
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def photo(size=(700, 350), name="atelier.jpg"):
    image = Image.new("RGB", size, (40, 110, 160))
    image.paste((200, 80, 30), (0, 0, size[0] // 3, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def rendition_files(name):
    directory = f"renditions/{name}"
    if not default_storage.exists(directory):
        return set()
    return set(default_storage.listdir(directory)[1])


@pytest.fixture
def saved(django_capture_on_commit_callbacks):
    """Save a row and run what waits for the commit (the renditions are made then)."""

    def save(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return save


def test_the_formats_are_avif_and_webp_when_pillow_writes_them():
    assert "WEBP" in rendition_formats()
    assert rendition_formats()[-1] == "WEBP"  # the best first: AVIF, where this Pillow writes it


def test_the_widths_stop_at_the_image_own_width():
    assert rendition_widths(700) == [320, 480, 640, 700]
    assert rendition_widths(1600) == list(RENDITION_WIDTHS)
    assert rendition_widths(200) == [200]
    assert rendition_widths(None) == []


def test_an_uploaded_image_gets_its_size_and_its_renditions(saved):
    action = saved(ActionFactory, image=photo((700, 350)), image_alt="Un stand")

    assert (action.image_width, action.image_height) == (700, 350)
    extensions = {fmt.lower() for fmt in rendition_formats()}
    assert rendition_files(action.image.name) == {f"{w}w.{ext}" for w in (320, 480, 640, 700) for ext in extensions}
    with default_storage.open(rendition_name(action.image.name, 480, "WEBP")) as file:
        rendition = Image.open(file)
        assert (rendition.format, rendition.size) == ("WEBP", (480, 240))


def test_the_size_is_that_of_the_stored_image_not_of_the_upload(saved, settings):
    settings.IMAGE_STORED_MAX_SIDE = 800
    action = saved(ActionFactory, image=photo((1200, 600)))
    assert (action.image_width, action.image_height) == (800, 400)
    assert max(int(name.split("w.")[0]) for name in rendition_files(action.image.name)) == 800


def test_a_new_image_replaces_the_renditions_of_the_former_one(saved, django_capture_on_commit_callbacks):
    action = saved(ActionFactory, image=photo(name="ancienne.jpg"))
    former = action.image.name
    assert rendition_files(former)

    with django_capture_on_commit_callbacks(execute=True):
        action.image = photo((500, 250), name="nouvelle.jpg")
        action.save()

    assert rendition_files(former) == set()
    assert {name.split(".")[0] for name in rendition_files(action.image.name)} == {"320w", "480w", "500w"}
    assert default_storage.exists(former)  # the stored image itself stays, for the history


def test_removing_the_image_or_the_row_removes_the_renditions(saved, django_capture_on_commit_callbacks):
    action = saved(ActionFactory, image=photo(name="a.jpg"))
    event = saved(EventFactory, image=photo(name="b.jpg"))
    action_image, event_image = action.image.name, event.image.name

    with django_capture_on_commit_callbacks(execute=True):
        action.image = ""
        action.save()
        event.delete()

    assert rendition_files(action_image) == set()
    assert rendition_files(event_image) == set()


def test_a_save_that_leaves_the_image_alone_makes_nothing(saved, django_capture_on_commit_callbacks):
    action = saved(ActionFactory, image=photo())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        action.title = "Un autre titre"
        action.save()
    assert not [callback for callback in callbacks if "renditions" in callback.__qualname__]


def test_a_stored_file_gone_missing_breaks_no_page(saved, client):
    from actions.models import Action

    action = saved(ActionFactory, image=photo(), image_alt="Un stand")
    Action.objects.filter(pk=action.pk).update(image="actions/disparue.jpg", image_width=None, image_height=None)

    response = client.get(action.get_absolute_url())

    assert response.status_code == 200
    assert 'src="/media/actions/disparue.jpg"' in response.content.decode()


def test_the_command_makes_the_missing_renditions(saved):
    partner = saved(PartnerFactory, logo=photo((300, 120), name="logo.png"))
    for name in rendition_files(partner.logo.name):
        default_storage.delete(f"renditions/{partner.logo.name}/{name}")

    call_command("make_image_renditions", stdout=io.StringIO())

    assert {name.split(".")[0] for name in rendition_files(partner.logo.name)} == {"300w"}


# The markup ------------------------------------------------------------------------------------


def render(template, **context):
    return Template("{% load images %}" + template).render(Context(context))


def test_the_picture_lists_each_format_with_its_widths_then_the_stored_image(saved):
    action = saved(ActionFactory, image=photo((700, 350)), image_alt="Un stand de dépistage")
    html = render('{% responsive_image action.image alt=action.image_alt layout="cards" %}', action=action)

    sources = re.findall(r'<source type="([^"]+)"\s+srcset="([^"]+)"\s+sizes="([^"]+)"', html)
    assert [kind for kind, _, _ in sources] == [f"image/{fmt.lower()}" for fmt in rendition_formats()]
    webp_srcset = {kind: srcset for kind, srcset, _ in sources}["image/webp"]
    assert re.findall(r" (\d+)w", webp_srcset) == ["320", "480", "640", "700"]
    assert f"/media/renditions/{action.image.name}/480w.webp 480w" in webp_srcset
    assert "(min-width: 992px) 301px" in sources[0][2] and sources[0][2].endswith("calc(100vw - 24px)")
    img = re.search(r"<img[^>]+>", html).group(0)
    assert f'src="{action.image.url}"' in img
    assert 'alt="Un stand de dépistage"' in img
    assert 'width="700"' in img and 'height="350"' in img
    assert 'loading="lazy"' in img and "fetchpriority" not in img


def test_the_image_at_the_top_of_a_page_is_fetched_first_not_lazily(saved):
    partner = saved(PartnerFactory, logo=photo((300, 120), name="logo.png"))
    html = render('{% responsive_image partner.logo layout="column" priority=True %}', partner=partner)
    img = re.search(r"<img[^>]+>", html).group(0)
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert 'alt=""' in img  # a decorative logo says nothing
    # A logo narrower than the column shows at its own width: the browser is told so.
    assert "(min-width: 1400px) 300px" in html and "min(calc(100vw - 24px), 300px)" in html


def test_without_renditions_the_stored_image_alone(saved):
    action = saved(ActionFactory, image=photo())
    for name in rendition_files(action.image.name):
        default_storage.delete(f"renditions/{action.image.name}/{name}")
    html = render('{% responsive_image action.image layout="full" %}', action=action)
    assert "<picture" not in html and "<source" not in html
    assert f'src="{action.image.url}"' in html and 'width="700"' in html


def test_an_unknown_layout_is_a_template_error(saved):
    action = saved(ActionFactory, image=photo())
    with pytest.raises(TemplateSyntaxError):
        render('{% responsive_image action.image layout="bannière" %}', action=action)


def test_the_pages_use_the_picture_lazy_in_lists_first_on_the_detail_page(saved, client):
    action = saved(ActionFactory, image=photo(), image_alt="Un stand", published=True, featured=True)

    detail = client.get(action.get_absolute_url()).content.decode()
    listing = client.get("/actions/").content.decode()

    assert 'type="image/webp"' in detail and 'fetchpriority="high"' in detail
    assert 'type="image/webp"' in listing and 'loading="lazy"' in listing
    assert "(min-width: 992px) 300px" in listing  # two cards a row beside the filters
