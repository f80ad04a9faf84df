"""argmap: from an OCR'd essay to a traceable argument map of causes, evidence and conclusions.

The notebook API is :func:`analyze` and :func:`analyze_many`; each stage has
its own module (extract, clean, nlp, components, classify, link, export, batch).
"""

from __future__ import annotations

from .analysis import Batch, load_batch
from .api import ArgumentMap, analyze, analyze_many
from .errors import ArgmapError

__version__ = "0.1.0"
__all__ = ["ArgmapError", "ArgumentMap", "Batch", "analyze", "analyze_many", "load_batch"]
