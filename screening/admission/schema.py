"""The admission-list schema (生态环境准入清单): its columns (our field names), the words its cells may hold,
and the check of a catalog entry's `[layer.fields]` and `[layer.values]` against them.

zoning's catalog keeps a `role = "admission_list"` entry as it is (path, layer, version, source, fields,
values); what the columns mean is screening's. The format is documented in docs/admission_lists.md.
"""

from __future__ import annotations

import re
import unicodedata

from zoning.catalog import LayerSpec, check_mapped_fields

ROLE = "admission_list"
#: our columns: required (a list without them cannot be read), then optional ones
REQUIRED = ("dimension", "text")
OPTIONAL = ("id", "scope_unit", "scope_category", "scope_district", "sectors", "construction", "effect", "source",
            "edition", "valid_from")
#: what splits the words of a list cell (scope units, sectors, kinds of construction)
CELL_WORD_SPLIT = r"[;；,，、\s]+"
ANY = "*"
#: our dimension -> (Chinese name, English name, accepted words)
DIMENSIONS = {
    "spatial": ("空间布局约束", "spatial layout", ("空间布局约束", "空间布局", "spatial", "spatial_layout")),
    "emission": ("污染物排放管控", "emission control", ("污染物排放管控", "污染物排放", "排放管控", "emission")),
    "risk": ("环境风险防控", "risk prevention", ("环境风险防控", "环境风险", "风险防控", "risk")),
    "resource": ("资源开发效率要求", "resource efficiency",
                 ("资源开发效率要求", "资源利用效率要求", "资源开发效率", "资源利用效率", "resource", "resources")),
}
EFFECT_WORDS = {
    "prohibited": ("禁止", "禁止类", "prohibited", "prohibit"),
    "restricted": ("限制", "限制类", "restricted", "restrict", "conditional"),
    "allowed_only": ("仅允许", "只允许", "仅限", "allowed_only", "allowed-only", "only"),
    "requirement": ("要求", "管控要求", "requirement", "required"),
    "check": ("待核", "待核实", "未结构化", "check", ""),
}
CATEGORY_WORDS = {
    "priority": ("优先保护单元", "优先保护", "priority"),
    "key": ("重点管控单元", "重点管控", "key"),
    "general": ("一般管控单元", "一般管控", "general"),
    ANY: ("全部", "全部单元", "所有单元", "all", "*", ""),
}
CITY_WORDS = ("全市", "全域", "重庆市", "city", "*")
ALL_SECTOR_WORDS = ("all", "全部", "全部行业", "所有行业", "所有", "不限", "*")
CONSTRUCTION_WORDS = {
    "new": ("新建", "new"), "expansion": ("扩建", "扩能", "expansion"),
    "renovation": ("改建", "技改", "技术改造", "改造", "renovation"),
    "relocation": ("迁建", "搬迁", "relocation"), "expansion;renovation": ("改扩建",),
}
CONSTRUCTIONS = ("new", "expansion", "renovation", "relocation")
#: a sector or construction word starting so is excluded, not included ("-2619", "除2619")
EXCLUDE_PREFIX = re.compile(r"^(?:-|!|！|除|不含)\s*")


def key(text) -> str:
    """Compare words after NFKC, trimming and lower-casing (全角 digits, stray spaces, 'ALL')."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def check_entry(spec: LayerSpec) -> None:
    """CatalogError when an admission-list entry maps a column or values our schema does not have."""
    check_mapped_fields(spec, set(REQUIRED) | set(OPTIONAL))
