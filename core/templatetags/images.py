"""``{% load images %}``: ``{% responsive_image field_file alt=… layout=… %}``, the markup of every
uploaded image shown on the public site (an action's image, an event's, a partner's logo).

It writes a ``<picture>``: one ``<source>`` per modern format (AVIF, then WebP) listing the
renditions made at upload (core/images.py) with their widths, ``sizes`` telling the browser how
wide the image shows in the page's layout, and the stored image as the ``<img>`` that older
browsers show, with its ``width`` and ``height`` (so that the page does not jump when it arrives).

- ``layout``: where the image sits, a key of ``SIZES`` (how wide it shows at each screen width,
  from Bootstrap's containers and the page's grid);
- ``priority=True`` for the one image at the top of a page (the largest thing a phone shows
  first): fetched at once, before the others (``fetchpriority="high"``); every other image is
  fetched only when the visitor scrolls near it (``loading="lazy"``).

Without renditions (an image stored before them, or whose renditions failed) the ``<img>`` alone.
"""

from django import template

from core.images import has_renditions, renditions

register = template.Library()

# Content widths of Bootstrap's .container (its max-width less 2 × 0.75rem of padding), then the
# columns of each layout: (minimum screen width, width of the image) from the widest screen down;
# below 576 px the container is the screen less its padding.
BREAKPOINTS = (1400, 1200, 992, 768, 576)
PHONE = "calc(100vw - 24px)"
PHONE_MAX = 575 - 24  # the widest PHONE can be
SIZES = {
    # A card in a row of three on large screens, two on medium ones (.row-cols-md-2.row-cols-lg-3.g-3).
    "cards": ("421px", "361px", "301px", "340px", "516px", PHONE),
    # A card in a row of two within a page's main column (.col-lg-8, then .row-cols-md-2.g-3).
    "cards-in-column": ("420px", "360px", "300px", "340px", "516px", PHONE),
    # The whole width of the page's container (the agenda's cards, one per row).
    "full": ("1296px", "1116px", "936px", "696px", "516px", PHONE),
    # A page's main column (.col-lg-8 in a .row.g-4).
    "column": ("856px", "736px", "616px", "696px", "516px", PHONE),
}
# Layouts where the image keeps its own size when it is narrower (.img-fluid), rather than being
# stretched to the card's width: a logo of 300 pixels shows 300 pixels wide.
NATURAL_SIZE = {"column"}


def sizes_attribute(layout, width=None):
    """The ``sizes`` attribute of an image ``width`` pixels wide shown in ``layout``."""
    lengths = SIZES[layout]
    if width and layout in NATURAL_SIZE:
        lengths = [
            (f"{min(int(length[:-2]), width)}px" if length.endswith("px") else f"min({length}, {width}px)")
            if length != PHONE or width < PHONE_MAX
            else length
            for length in lengths
        ]
    media = [f"(min-width: {breakpoint}px) {length}" for breakpoint, length in zip(BREAKPOINTS, lengths, strict=False)]
    return ", ".join([*media, lengths[-1]])


@register.inclusion_tag("includes/picture.html")
def responsive_image(field_file, *, alt="", layout="column", priority=False, css_class=""):
    """The ``<picture>`` of an uploaded image (``field_file``: an image field's value, not empty)."""
    if layout not in SIZES:
        raise template.TemplateSyntaxError(f"responsive_image : layout inconnu « {layout} » ({', '.join(SIZES)})")
    field = field_file.field
    instance = field_file.instance
    width = getattr(instance, field.width_field, None) if field.width_field else None
    height = getattr(instance, field.height_field, None) if field.height_field else None
    sources = []
    if width and height and has_renditions(field_file.storage, field_file.name, width):
        storage = field_file.storage
        sources = [
            {
                "type": f"image/{fmt.lower()}",
                "srcset": ", ".join(f"{storage.url(name)} {w}w" for w, name in sizes),
            }
            for fmt, sizes in renditions(field_file.name, width).items()
            if sizes
        ]
    return {
        "src": field_file.url,
        "alt": alt,
        "width": width,
        "height": height,
        "sources": sources,
        "sizes": sizes_attribute(layout, width),
        "priority": priority,
        "css_class": css_class,
    }
