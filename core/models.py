"""The models of ``core``, each in its own module (imported here so that Django finds them)."""

from core.glossary import GlossaryTerm
from core.site_settings import SiteSettings
from core.synonyms import SearchWord, Synonym

__all__ = ["GlossaryTerm", "SearchWord", "SiteSettings", "Synonym"]
