"""The catalogue of display names: skills, processes and machines by code, in Chinese and English.

One catalogue for the whole service (not per alliance): every alliance of the
park reports in the same codes, and one admin keeps their names.  Pages, agreements,
Excel files, messages and the CLI show ``name(kind, code)``; see docs/catalogue.md.
"""

from api.catalogue.names import Catalogue, load, seed_catalogue

__all__ = ["Catalogue", "load", "seed_catalogue"]
