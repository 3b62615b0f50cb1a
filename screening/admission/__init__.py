"""Admission lists (生态环境准入清单) in screening: the front door of the package.

    >>> lst = admission_lists(layers, rules.sectors)                                      # doctest: +SKIP
    >>> decisions = apply_admission(decide(facts, rules), facts, lst, unit_table(layers))   # doctest: +SKIP

schema: the columns and words of a list (and the check of its catalog entry) · load: read and validate one
list file · lists: a catalog's lists, loaded once against its units and districts · match: list rows to
sites by joins · apply: fired rows into the decision columns.
"""

from __future__ import annotations

from .apply import LIST_COLUMNS, apply_admission, list_outcomes, merge_decisions
from .lists import admission_lists, context, load_admission_lists, unit_table
from .load import AdmissionError, AdmissionList, Context, combine, load_list
from .schema import ANY, DIMENSIONS

__all__ = ["ANY", "DIMENSIONS", "LIST_COLUMNS", "AdmissionError", "AdmissionList", "Context", "admission_lists",
           "apply_admission", "combine", "context", "list_outcomes", "load_admission_lists", "load_list",
           "merge_decisions", "unit_table"]
