"""Uploaded images: refused unless real JPEG, PNG or WebP within limits, stored without metadata."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from actions.models import Action
from core.images import ACCEPT_ATTRIBUTE, NOT_AN_IMAGE, process_image
from partners.models import Partner
from tests.actions.factories import ActionFactory
from tests.actions.test_admin import action_form_data
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

GPS_LATITUDE = (48.0, 47.0, 25.5)
SECRET = "Mme Dupont, 12 rue des Écoles"


# Images to upload -----------------------------------------------------------------------------


def two_colour_image(size=(240, 120), mode="RGB"):
    """Red on the left half, blue on the right half: tells which way an image was turned."""
    image = Image.new(mode, size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    return image


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_with_metadata(orientation=None):
    """A photo as a phone writes it: EXIF with the GPS position and the camera, XMP, a comment."""
    image = two_colour_image()
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Téléphone"
    exif[ExifTags.Base.Model] = "Modèle secret"
    exif[ExifTags.Base.Artist] = SECRET
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 27.0, 40.0)
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'.encode()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(image, "JPEG", exif=exif, xmp=xmp, comment=SECRET.encode(), icc_profile=icc)


def png_with_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("Description", SECRET, lang="fr")
    info.add_text("Comment", SECRET, zip=True)
    return encode(two_colour_image(mode="RGBA"), "PNG", pnginfo=info)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width, height):
    """A PNG of a few hundred bytes whose header declares ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + png_chunk(b"IEND", b"")
    )


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored(field_file):
    """The stored file's bytes and the image Pillow reads back from them."""
    data = Path(field_file.path).read_bytes()
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


def assert_no_metadata(data, image):
    assert not image.getexif()
    assert {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "dpi"}.isdisjoint(image.info)
    assert not getattr(image, "text", {})
    assert b"Exif" not in data
    assert SECRET.encode() not in data
    assert "Modèle secret".encode() not in data
    assert b"adobe:ns:meta" not in data


PHOTO = jpeg_with_metadata()

HOSTILE_FILES = {
    "html-renamed-jpg": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "photo.jpg"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)"></svg>',
        "logo.svg",
    ),
    "svg-renamed-png": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
    "gif": (encode(two_colour_image(), "GIF"), "anime.gif"),
    "empty": (b"", "vide.jpg"),
    "pdf": (b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF", "document.png"),
}


# The checks, through the function every path uses ---------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_what_is_not_a_jpeg_png_or_webp_is_refused_whatever_its_name(name):
    content, filename = HOSTILE_FILES[name]
    with pytest.raises(ValidationError) as refused:
        process_image(upload(content, filename))
    assert refused.value.messages == [NOT_AN_IMAGE]


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("JPEG", "incomplète ou endommagée"),
        ("PNG", "incomplète ou endommagée"),
        # libwebp reads the whole container when Pillow opens the file: refused at once.
        ("WEBP", "n’est pas une image JPEG, PNG ou WebP"),
    ],
)
def test_a_truncated_image_is_refused(fmt, message):
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"), fmt)
    with pytest.raises(ValidationError) as refused:
        process_image(upload(data[: len(data) // 2]))
    assert message in refused.value.messages[0]


def test_an_animated_image_is_refused():
    frames = [two_colour_image(), two_colour_image().rotate(180)]
    animated = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(ValidationError) as refused:
        process_image(upload(animated, "anime.png"))
    assert "animées ne sont pas acceptées" in refused.value.messages[0]


def test_a_file_heavier_than_the_limit_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    data = encode(two_colour_image(), "PNG") + b"\x00" * 1000
    with pytest.raises(ValidationError) as refused:
        process_image(upload(data, "lourde.png"))
    assert refused.value.messages[0].startswith("Ce fichier pèse 1,")
    assert "le maximum est de 1000" in refused.value.messages[0]


def test_images_too_large_or_too_small_are_refused(settings):
    settings.IMAGE_UPLOAD_MAX_SIDE = 200
    settings.IMAGE_UPLOAD_MIN_SIDE = 40
    with pytest.raises(ValidationError) as too_large:
        process_image(upload(encode(two_colour_image((240, 120)), "PNG"), "grande.png"))
    assert too_large.value.messages == [
        "Cette image mesure 240 × 120 pixels : le maximum est de 200 pixels de côté. Réduisez ses dimensions."
    ]
    with pytest.raises(ValidationError) as too_small:
        process_image(upload(encode(two_colour_image((120, 30)), "PNG"), "petite.png"))
    assert "120 × 30 pixels : il faut au moins 40 pixels" in too_small.value.messages[0]
    assert process_image(upload(encode(two_colour_image((200, 40)), "PNG"), "juste.png")).size > 0


@pytest.mark.parametrize("side", [12_000, 60_000])
def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded(monkeypatch, side):
    """12 000² pixels trips Pillow's warning, 60 000² its error: both become a French message."""

    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_declaring(side, side)
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as refused:
        process_image(upload(bomb, "bombe.png"))
    assert refused.value.messages == [
        "Cette image annonce des dimensions démesurées : elle est refusée par sécurité. "
        "Déposez une image de 6000 pixels de côté au plus."
    ]


def test_a_large_photo_is_shrunk_before_it_is_stored(settings):
    settings.IMAGE_STORED_MAX_SIDE = 100
    processed = process_image(upload(jpeg_with_metadata()))
    assert Image.open(processed).size == (100, 50)


def test_the_stored_name_keeps_the_stem_and_takes_the_real_format():
    png_named_jpg = process_image(upload(encode(two_colour_image(), "PNG"), "Mon logo.JPG"))
    assert png_named_jpg.name == "Mon logo.png"
    assert png_named_jpg.content_type == "image/png"
    webp = process_image(upload(encode(two_colour_image(), "WEBP"), "affiche.webp"))
    assert (webp.name, Image.open(webp).format) == ("affiche.webp", "WEBP")


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), keep=st.integers(min_value=0, max_value=2000))
def test_arbitrary_bytes_are_either_refused_in_french_or_stored_as_a_clean_image(data, keep):
    """Random bytes, and a real photo with random bytes spliced in: never another exception."""
    photo = PHOTO
    for content in (data, photo[:keep] + data + photo[keep + len(data) :]):
        try:
            processed = process_image(upload(content))
        except ValidationError as refused:
            assert refused.messages[0].startswith("C")  # one of our French messages
        else:
            image = Image.open(processed)
            image.load()
            assert not image.getexif()


# Every path: the model, the model's validation, the admin --------------------------------------


def test_a_jpeg_saved_on_a_model_loses_its_gps_position_and_every_other_metadata():
    original = Image.open(io.BytesIO(jpeg_with_metadata()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE
    assert {"xmp", "comment", "icc_profile"} <= set(original.info)

    action = ActionFactory(image=upload(jpeg_with_metadata(), "sortie.jpeg"))

    action.refresh_from_db()
    assert action.image.name.startswith("actions/sortie")
    assert action.image.name.endswith(".jpg")
    data, image = stored(action.image)
    assert image.format == "JPEG"
    assert image.size == (240, 120)
    assert_no_metadata(data, image)


def test_a_png_logo_loses_its_text_chunks_and_keeps_its_transparency():
    original = Image.open(io.BytesIO(png_with_text()))
    assert original.text["Author"] == SECRET

    partner = PartnerFactory(logo=upload(png_with_text(), "logo.png", "image/png"))

    data, image = stored(Partner.objects.get(pk=partner.pk).logo)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((10, 10)) == (255, 0, 0, 255)
    assert_no_metadata(data, image)
    for chunk in (b"tEXt", b"iTXt", b"zTXt"):
        assert chunk not in data


def test_an_oriented_photo_is_stored_upright():
    """EXIF orientation 6: the camera was turned, the viewer must turn the picture 90° clockwise."""
    action = ActionFactory(image=upload(jpeg_with_metadata(orientation=6)))

    _data, image = stored(action.image)
    assert image.size == (120, 240)
    assert image.getexif().get(ExifTags.Base.Orientation) is None
    red, blue = image.getpixel((60, 30)), image.getpixel((60, 210))
    assert red[0] > 200 and red[2] < 60
    assert blue[2] > 200 and blue[0] < 60


def test_a_script_saving_a_fake_image_gets_an_error_and_nothing_is_stored():
    action = ActionFactory()
    folder = Path(action.image.storage.location) / "actions"
    before = set(folder.iterdir()) if folder.exists() else set()
    action.image = upload(*HOSTILE_FILES["html-renamed-jpg"])
    with pytest.raises(ValidationError):
        action.save()
    after = set(folder.iterdir()) if folder.exists() else set()
    assert after == before
    assert not Action.objects.get(pk=action.pk).image


def test_full_clean_reports_the_image_field():
    action = ActionFactory()
    action.image = upload(*HOSTILE_FILES["svg-renamed-png"])
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert refused.value.message_dict["image"] == [NOT_AN_IMAGE]


def test_an_already_stored_image_is_not_processed_again(monkeypatch):
    action = ActionFactory(image=upload(jpeg_with_metadata()))
    action = Action.objects.get(pk=action.pk)
    monkeypatch.setattr("core.images.process_image", lambda *args: pytest.fail("processed again"))
    action.title = "Un autre titre"
    action.full_clean()
    action.save()
    assert Action.objects.get(pk=action.pk).image.name == action.image.name


def change_url(action):
    return reverse("admin:actions_action_change", args=[action.pk])


def test_the_admin_file_input_accepts_only_our_formats_and_states_the_limits(editor_client):
    action = ActionFactory()
    page = editor_client.get(change_url(action)).text
    assert f'accept="{ACCEPT_ATTRIBUTE}"' in page
    assert 'accept="image/*"' not in page
    assert "JPEG, PNG ou WebP, 5,0" in page
    assert "enregistrée sans ses métadonnées" in page


def test_an_editor_uploads_a_photo_through_the_admin_and_it_is_stored_clean(editor_client):
    action = ActionFactory()
    response = editor_client.post(
        change_url(action),
        {**action_form_data(action), "image": upload(jpeg_with_metadata(orientation=6), "atelier.jpg")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_changelist")
    action.refresh_from_db()
    data, image = stored(action.image)
    assert action.image.name.startswith("actions/atelier")
    assert image.size == (120, 240)
    assert_no_metadata(data, image)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (*HOSTILE_FILES["html-renamed-jpg"], "n’est pas une image JPEG, PNG ou WebP"),
        (png_declaring(60_000, 60_000), "bombe.png", "dimensions démesurées"),
    ],
)
def test_the_admin_refuses_a_fake_image_with_a_french_message(editor_client, content, filename, message):
    action = ActionFactory()
    response = editor_client.post(change_url(action), {**action_form_data(action), "image": upload(content, filename)})
    assert response.status_code == 200
    assert message in response.text
    action.refresh_from_db()
    assert not action.image
