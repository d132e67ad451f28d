"""The models of ``core``, each in its own module (imported here so that Django finds them)."""

from core.glossary import GlossaryTerm
from core.site_settings import SiteSettings

__all__ = ["GlossaryTerm", "SiteSettings"]
