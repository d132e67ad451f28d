"""Uploaded images: checked by their content, then re-encoded without their metadata.

Every image the site stores (an action's image, a partner's logo) goes through
:func:`process_image`, whatever path it comes by:

- the admin's form field (:class:`SanitizedImageFormField`) runs it while validating, so that
  an editor gets a French message beside the field;
- the model field's validator runs it in ``full_clean()``;
- the model field's ``pre_save()`` runs it before the file reaches the storage, so that a
  script calling ``save()`` cannot store an unchecked file either (it gets a
  ``ValidationError``).

The result is cached on the uploaded file object: the checks and the re-encoding happen once
per upload.

What is accepted: real JPEG, PNG and WebP files, recognised by their content (never by the
extension or the browser's content type), not animated, of a bounded weight and size (settings
``IMAGE_UPLOAD_*``). Pillow's decompression-bomb protection and our own dimension limits are
checked on the header, before any pixel is decoded; the whole image is then decoded, so that a
truncated file is refused rather than stored.

What is stored: the pixels only. The image is turned upright (EXIF orientation), converted to
sRGB when it carries a colour profile (iPhone photos are in Display P3: dropping the profile
without converting would dull them), shrunk to ``IMAGE_STORED_MAX_SIDE`` if larger, and
re-encoded in its own format with no EXIF (GPS position, camera, date), XMP, IPTC, ICC profile,
comment or PNG text chunk. The file name keeps its stem and gets the extension of its real
format.

Renditions (issue 13, what a phone user downloads): once stored, every image gets smaller copies
in modern formats, made here at upload time from the cleaned image rather than by a library
(django-pictures, the one maintained library that makes ``<picture>`` sources at upload, makes
some sixteen widths per format, converts every photo to RGBA, writes its grid breakpoints into
every migration and leaves the copies of a replaced image behind; sorl-thumbnail, easy-thumbnails
and django-imagekit make theirs on the first visit of a public page, or keep a table of them).
For each width of ``RENDITION_WIDTHS`` below the image's own width (and the image's own width when
it is narrower than the widest one), one file per format of ``IMAGE_RENDITION_FORMATS`` (AVIF and
WebP, those this Pillow can write), under ``renditions/<stored name>/<width>w.<ext>``: derived
from the stored name, so that no table lists them. The field makes them after the row is saved
with a new image (the admin, a script, ``load_cls_content``, a version restored from the
history), and removes them when the image is replaced, removed, or its row deleted; the stored
image itself stays, as before, for the history. ``python manage.py make_image_renditions`` makes
those that are missing (after a change of widths or formats). The template tag
``{% responsive_image %}`` (core/templatetags/images.py) writes the ``<picture>``.
"""

import contextlib
import io
import os
import posixpath
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import signals
from django.forms import FileField as FileFormField
from django.forms import FileInput
from django.forms import ImageField as ImageFormField
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

# Pillow's format names we accept, and how each is stored. MPO is the JPEG variant many phones
# write (the photo followed by a preview or a depth map): its first frame is the photo.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# The decoders Pillow may try (its JPEG decoder is the one that recognises MPO files).
DECODERS = ["JPEG", "PNG", "WEBP"]
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"

NOT_AN_IMAGE = "Ce fichier n’est pas une image JPEG, PNG ou WebP. Enregistrez-la dans l’un de ces formats."
TRUNCATED = "Cette image est incomplète ou endommagée. Enregistrez-la de nouveau, puis déposez-la."
ANIMATED = "Les images animées ne sont pas acceptées. Déposez une image fixe (JPEG, PNG ou WebP)."
TOO_HEAVY = "Ce fichier pèse {size} : le maximum est de {limit}. Réduisez la taille de l’image."
TOO_LARGE = (
    "Cette image mesure {width} × {height} pixels : le maximum est de {limit} pixels de côté. Réduisez ses dimensions."
)
TOO_SMALL = (
    "Cette image mesure {width} × {height} pixels : il faut au moins {limit} pixels de côté pour qu’elle reste lisible."
)
BOMB = (
    "Cette image annonce des dimensions démesurées : elle est refusée par sécurité. "
    "Déposez une image de {limit} pixels de côté au plus."
)

JPEG_OPTIONS = {"quality": 85, "optimize": True, "progressive": True}
WEBP_OPTIONS = {"quality": 85, "method": 4}
PNG_OPTIONS = {"optimize": True}

# Set on an uploaded file once processed, so that the form, the model's validation and its
# save do the work once.
CACHE_ATTRIBUTE = "_cls_sanitized_image"


def _limits():
    return {
        "max_bytes": settings.IMAGE_UPLOAD_MAX_BYTES,
        "min_side": settings.IMAGE_UPLOAD_MIN_SIDE,
        "max_side": settings.IMAGE_UPLOAD_MAX_SIDE,
        "stored_max_side": settings.IMAGE_STORED_MAX_SIDE,
    }


def _size_of(file):
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def _open(file, limits):
    """Open ``file`` with Pillow (header only) and check what the header says."""
    file.seek(0)
    try:
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(file, formats=DECODERS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValidationError(BOMB.format(limit=limits["max_side"]), code="image_bomb") from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(NOT_AN_IMAGE, code="image_type") from exc
    except Exception as exc:  # a damaged header makes Pillow raise about anything
        raise ValidationError(NOT_AN_IMAGE, code="image_type") from exc
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="image_type")
    width, height = image.size
    if width > limits["max_side"] * 4 or height > limits["max_side"] * 4:
        raise ValidationError(BOMB.format(limit=limits["max_side"]), code="image_bomb")
    if width > limits["max_side"] or height > limits["max_side"]:
        raise ValidationError(
            TOO_LARGE.format(width=width, height=height, limit=limits["max_side"]), code="image_too_large"
        )
    if width < limits["min_side"] or height < limits["min_side"]:
        raise ValidationError(
            TOO_SMALL.format(width=width, height=height, limit=limits["min_side"]), code="image_too_small"
        )
    if image.format != "MPO" and getattr(image, "is_animated", False):
        raise ValidationError(ANIMATED, code="image_animated")
    return image


def _to_srgb(image):
    """Convert an image that carries an ICC profile to sRGB (then stored without a profile)."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # An unreadable profile: keep the pixels as they are, the profile is dropped anyway.
        return image


def _encode(image, stored_format):
    """Re-encode ``image`` in ``stored_format``, carrying nothing but its pixels (and transparency)."""
    transparency = image.info.get("transparency")
    # Pillow writes what ``info`` holds (JPEG comment, ICC profile, EXIF, XMP…): start it empty.
    image.info = {}
    if stored_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = dict(JPEG_OPTIONS)
    elif stored_format == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if image.has_transparency_data or transparency is not None else "RGB")
        options = dict(WEBP_OPTIONS)
    else:
        options = dict(PNG_OPTIONS)
        if transparency is not None:
            options["transparency"] = transparency
    buffer = io.BytesIO()
    image.save(buffer, stored_format, **options)
    return buffer.getvalue()


def _shrink(image, max_side):
    if max(image.size) <= max_side:
        return image
    if image.mode in ("1", "P"):
        # Palette images would be resized with the nearest neighbour: convert first.
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def _stored_name(name, stored_format):
    stem = os.path.splitext(os.path.basename(name or ""))[0] or "image"
    return stem + EXTENSIONS[stored_format]


def process_image(file, name=None):
    """Check an uploaded image and return it re-encoded without metadata, as a ``ContentFile``.

    Raises ``ValidationError`` (a French message) when the file is not an image we accept.
    The result is cached on ``file``.
    """
    cached = getattr(file, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    limits = _limits()
    size = _size_of(file)
    if size > limits["max_bytes"]:
        raise ValidationError(
            TOO_HEAVY.format(size=filesizeformat(size), limit=filesizeformat(limits["max_bytes"])),
            code="image_too_heavy",
        )
    with warnings.catch_warnings():
        # Damaged metadata makes Pillow warn (« Corrupt EXIF data »…): it is thrown away anyway.
        warnings.simplefilter("ignore", UserWarning)
        data, stored_format = _decode_and_encode(file, limits)
    result = ContentFile(data, name=_stored_name(name or getattr(file, "name", None), stored_format))
    result.content_type = CONTENT_TYPES[stored_format]
    setattr(file, CACHE_ATTRIBUTE, result)
    setattr(result, CACHE_ATTRIBUTE, result)  # processing the result again gives itself
    return result


def _decode_and_encode(file, limits):
    image = _open(file, limits)
    stored_format = ACCEPTED_FORMATS[image.format]
    try:
        if stored_format == "JPEG":
            # Decode JPEGs at a reduced scale when they are much larger than what is stored.
            image.draft(image.mode, (limits["stored_max_side"], limits["stored_max_side"]))
        image.load()
        image = ImageOps.exif_transpose(image)
        image = _to_srgb(image)
        image = _shrink(image, limits["stored_max_side"])
        data = _encode(image, stored_format)
    except Exception as exc:  # truncated or damaged pixel data: Pillow raises OSError, ValueError…
        raise ValidationError(TRUNCATED, code="image_truncated") from exc
    finally:
        file.seek(0)
    return data, stored_format


# --- Renditions --------------------------------------------------------------------------------

# Widths in pixels. A card is the whole width of a phone (about 390 CSS pixels at 1.75 or 2 device
# pixels each: 680–780), a third of a large screen (about 420), a page's main column (up to 860);
# steps of at most a third, so that the browser never fetches much more than it shows.
RENDITION_WIDTHS = (320, 480, 640, 800, 960, 1280)
RENDITIONS_DIR = "renditions"
RENDITION_EXTENSIONS = {"AVIF": "avif", "WEBP": "webp"}
RENDITION_CONTENT_TYPES = {"AVIF": "image/avif", "WEBP": "image/webp"}
# AVIF at speed 8: a few tenths of a second per width rather than seconds, for files about as
# small; WebP at its usual quality.
RENDITION_OPTIONS = {"AVIF": {"quality": 50, "speed": 8}, "WEBP": {"quality": 75, "method": 4}}
# Set on an instance after it is loaded or saved: {attname: stored name}, to know what changed.
SAVED_NAMES_ATTRIBUTE = "_cls_saved_image_names"


def rendition_formats():
    """The formats of the renditions, best first: those of the settings that this Pillow can write."""
    wanted = getattr(settings, "IMAGE_RENDITION_FORMATS", ("AVIF", "WEBP"))
    return [fmt for fmt in wanted if fmt in RENDITION_EXTENSIONS and features.check(fmt.lower())]


def rendition_widths(width):
    """The widths of the renditions of an image ``width`` pixels wide, smallest first."""
    if not width:
        return []
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)
    return widths


def rendition_name(name, width, fmt):
    """``actions/atelier.jpg`` → ``renditions/actions/atelier.jpg/640w.webp``."""
    return posixpath.join(RENDITIONS_DIR, name, f"{width}w.{RENDITION_EXTENSIONS[fmt]}")


def renditions(name, width):
    """{format: [(width, rendition name), …]} of a stored image, the formats best first."""
    widths = rendition_widths(width)
    return {fmt: [(w, rendition_name(name, w, fmt)) for w in widths] for fmt in rendition_formats()}


def make_renditions(storage, name):
    """Write the renditions of the stored image ``name`` (replacing any); returns their names."""
    with storage.open(name, "rb") as file, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        image = Image.open(file)
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    written = []
    for fmt, sizes in renditions(name, image.width).items():
        for width, rendition in sizes:
            height = max(1, round(image.height * width / image.width))
            resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            resized.save(buffer, fmt, **RENDITION_OPTIONS[fmt])
            storage.delete(rendition)  # the storage would otherwise pick another name
            storage.save(rendition, ContentFile(buffer.getvalue()))
            written.append(rendition)
    return written


def delete_renditions(storage, name):
    """Remove every rendition of the stored image ``name`` (whatever widths and formats made them)."""
    directory = posixpath.join(RENDITIONS_DIR, name)
    try:
        _, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for file in files:
        storage.delete(posixpath.join(directory, file))
    with contextlib.suppress(OSError, NotImplementedError):
        os.rmdir(storage.path(directory))  # a file system storage: the empty directory too


def has_renditions(storage, name, width):
    """Whether the largest rendition of each format exists (they are written smallest first)."""
    return all(storage.exists(sizes[-1][1]) for sizes in renditions(name, width).values() if sizes)


@deconstructible
class ImageValidator:
    """Model-field validator: a new (not yet stored) file must pass :func:`process_image`."""

    def __call__(self, value):
        if not value or getattr(value, "_committed", True):
            return  # nothing new: the stored file was processed when it was uploaded
        process_image(value.file, value.name)

    def __eq__(self, other):
        return isinstance(other, ImageValidator)


validate_image = ImageValidator()


class SanitizedImageFormField(ImageFormField):
    """The form field: our checks instead of Django's, and a file picker limited to our formats."""

    default_validators = []
    default_error_messages = {"invalid_image": NOT_AN_IMAGE}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The limits come from the settings (the environment): said here, not in the model's
        # help_text, which migrations would freeze.
        limits = _limits()
        rules = (
            f"JPEG, PNG ou WebP, {filesizeformat(limits['max_bytes'])} au plus, entre {limits['min_side']} "
            f"et {limits['max_side']} pixels de côté. L’image est enregistrée sans ses métadonnées "
            "(lieu de prise de vue, appareil, date)."
        )
        self.help_text = f"{self.help_text} {rules}".strip() if self.help_text else rules

    def to_python(self, data):
        uploaded = FileFormField.to_python(self, data)
        if uploaded is None:
            return None
        processed = process_image(uploaded)
        uploaded.content_type = processed.content_type
        return uploaded

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, FileInput):
            attrs["accept"] = ACCEPT_ATTRIBUTE
        return attrs


class SanitizedImageField(models.ImageField):
    """An ``ImageField`` whose files are checked and stripped of metadata before they are stored."""

    default_validators = [validate_image]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SanitizedImageFormField, **kwargs})

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            # The pre_save signal is sent before Django opens its transaction for the save: a
            # refused file raises there, without breaking the caller's transaction.
            signals.pre_save.connect(self._process_new_file, sender=cls, weak=False)
            # Renditions: what the row held when loaded, then made or removed after its save/delete.
            signals.post_init.connect(self._remember_saved_name, sender=cls, weak=False)
            signals.post_save.connect(self._update_renditions, sender=cls, weak=False)
            signals.post_delete.connect(self._delete_renditions, sender=cls, weak=False)

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django reads the file when the width and height fields are empty: a stored file gone
        # missing (a database restored without its media) gives no dimensions rather than a 500
        # on every page that loads the row.
        with contextlib.suppress(OSError, ValueError):
            super().update_dimension_fields(instance, force, *args, **kwargs)

    def _remember_saved_name(self, instance, **kwargs):
        if self.attname in instance.__dict__:  # not deferred: the name as the row holds it
            value = instance.__dict__[self.attname]
            names = instance.__dict__.setdefault(SAVED_NAMES_ATTRIBUTE, {})
            names[self.attname] = str(getattr(value, "name", value) or "")

    def _update_renditions(self, instance, created=False, raw=False, update_fields=None, **kwargs):
        if raw or (update_fields is not None and self.name not in update_fields):
            return
        names = instance.__dict__.setdefault(SAVED_NAMES_ATTRIBUTE, {})
        file = getattr(instance, self.attname)
        name = file.name or "" if file else ""
        previous = "" if created else names.get(self.attname)
        names[self.attname] = name
        storage = self.storage
        width = getattr(instance, self.width_field, None) if self.width_field else None
        if name and (previous != name or not has_renditions(storage, name, width or 0)):
            # Once the row is committed: a rolled-back save leaves no file behind. Should it fail, the
            # error is logged, the save stands, and the page offers the stored image alone (the
            # template tag looks for the renditions) until make_image_renditions is run.
            transaction.on_commit(lambda: make_renditions(storage, name), robust=True)
        if previous and previous != name:
            model = type(instance)
            transaction.on_commit(
                lambda: (
                    None
                    if model._base_manager.filter(**{self.attname: previous}).exists()
                    else delete_renditions(storage, previous)
                )
            )

    def _delete_renditions(self, instance, **kwargs):
        file = getattr(instance, self.attname)
        if file and file.name:
            name, storage, model = file.name, self.storage, type(instance)
            transaction.on_commit(
                lambda: (
                    None
                    if model._base_manager.filter(**{self.attname: name}).exists()
                    else delete_renditions(storage, name)
                )
            )

    def _process_new_file(self, instance, **kwargs):
        file = getattr(instance, self.attname)
        if file and not file._committed:
            processed = process_image(file.file, file.name)
            file.file = processed
            file.name = processed.name
            # The width and height fields were filled from the upload: those of the stored image.
            file.__dict__.pop("_dimensions_cache", None)
            self.update_dimension_fields(instance, force=True)

    def pre_save(self, model_instance, add):
        self._process_new_file(model_instance)  # already done by the signal (cached): a safety net
        return super().pre_save(model_instance, add)
