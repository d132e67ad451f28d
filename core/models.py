"""The models of ``core``, each in its own module (imported here so that Django finds them)."""

from core.glossary import GlossaryTerm

__all__ = ["GlossaryTerm"]
