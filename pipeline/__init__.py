"""argmap: from an OCR'd essay to a traceable argument map of causes, evidence and conclusions."""

from __future__ import annotations

__version__ = "0.1.0"
