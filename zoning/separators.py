"""How several values share one output cell: the one owner of the separators every package joins and splits
on (zoning's facts, screening's decisions and admission lists, the maps' popups, the CLI's verdict).

>>> ITEM_SEPARATOR.join(["ZH001", "ZH002"]), TEXT_SEPARATOR.join(["禁止…", "须…"])
('ZH001;ZH002', '禁止… | 须…')
"""

from __future__ import annotations

#: between codes, ids and citations (control_units, park, rule_ids, citations, undecided)
ITEM_SEPARATOR = ";"
#: between sentences (reasons, obligations, list_requirements, requirements_to_check)
TEXT_SEPARATOR = " | "

#: output column -> the separator its values are joined with, in the order screening writes the columns
OUTPUT_SEPARATORS = {
    "rule_ids": ITEM_SEPARATOR, "reasons": TEXT_SEPARATOR, "obligations": TEXT_SEPARATOR,
    "citations": ITEM_SEPARATOR, "undecided": ITEM_SEPARATOR,
    "list_requirements": TEXT_SEPARATOR, "requirements_to_check": TEXT_SEPARATOR,
}
