"""The models of the shared machinery, each in its own module."""

from core.site_settings import SiteSettings

__all__ = ["SiteSettings"]
