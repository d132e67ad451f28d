"""Links to a map: a plain link to OpenStreetMap, never a third-party script or frame on our pages."""

from decimal import Decimal
from urllib.parse import urlencode

OSM = "https://www.openstreetmap.org/"


def map_url(*, latitude=None, longitude=None, address=""):
    """OpenStreetMap centred on a point, or searching an address; ``""`` when neither is known."""
    if latitude is not None and longitude is not None:
        lat, lon = f"{Decimal(str(latitude)):.6f}", f"{Decimal(str(longitude)):.6f}"
        return f"{OSM}?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    address = " ".join(str(address or "").split())
    if address:
        return f"{OSM}search?{urlencode({'query': address})}"
    return ""
