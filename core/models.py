"""The models of ``core`` live in their own modules; Django finds them here."""

from core.synonyms import SearchWord, Synonym

__all__ = ["SearchWord", "Synonym"]
