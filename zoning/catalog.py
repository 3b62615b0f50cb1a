"""The layer catalog: a TOML file saying, for each zoning layer, its role, where it is and how its fields map.

Example::

    [[layer]]
    role = "redline"
    path = "redline.shp"        # relative to the catalog file
    crs = "EPSG:4545"           # only when the source has none
    encoding = "GBK"            # only for shapefiles without .cpg
    allow_empty = true          # only when an empty layer is expected (no red line in the area)
    [layer.fields]
    id = "红线编码"
    name = "红线名称"

Only the fields the rules need are required (park `kind` and `compliant`, control-unit `category`, river
`class`); `id` defaults to the feature's FID (GDAL's feature number, as QGIS shows it: GeoPackage counts
from 1, shapefile and GeoJSON from 0) and `name` to the id, each said in a note of `zoning layers check`.
A field the catalog maps must be in the file. Boolean fields (`compliant`) understand 是/否, Y/N, 1/0,
true/false, yes/no and 合规/不合规 in any case without a `[layer.values]` table; other coded values need one.

Every vector layer must declare a CRS (or the entry gives `crs`), hold at least one feature (unless
`allow_empty = true`) and lie in China and over the coverage (the `district` layers, else the control units);
rasters must meet the coverage with at least one valid cell. Each fault is a LayerError naming the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import CatalogError

#: Our field vocabulary per role: required fields (those the rules need), then optional ones.
#: `id` and `name` of a vector role are optional: missing, they are derived (see DERIVED_FIELDS).
ROLE_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "redline": ((), ("id", "name", "kind")),
    "park": (("kind", "compliant"), ("id", "name")),
    "control_unit": (("category",), ("id", "name", "district")),
    "river": (("class",), ("id", "name")),
    "urban_area": ((), ("id", "name")),
    "district": ((), ("id", "name")),
    "air_quality": ((), ()),
}

#: Allowed values of the coded fields after mapping.
VOCABULARY: dict[str, tuple[Any, ...]] = {
    "kind@park": ("chemical", "industrial"),
    "compliant@park": (True, False),
    "category@control_unit": ("priority", "key", "general"),
    "class@river": ("mainstream", "tributary", "other"),
}

#: Fields a vector layer may lack: `id` becomes the feature's FID, `name` the id.
DERIVED_FIELDS = ("id", "name")
#: Fields holding yes/no: the usual codings are understood without a mapping.
BOOLEAN_FIELDS = {"compliant"}

RASTER_ROLES = {"air_quality"}
#: Roles of tables, not layers: zoning keeps their entries as they are (path, layer, version, source, fields,
#: values) and reads nothing of them; their own package knows and checks their columns (admission lists:
#: screening.admission.schema).
TABLE_ROLES = {"admission_list"}
VECTOR_ROLES = set(ROLE_FIELDS) - RASTER_ROLES
#: every role a `[[layer]]` entry may name
ROLES = (*ROLE_FIELDS, *sorted(TABLE_ROLES))

_KNOWN_KEYS = {
    "role", "path", "layer", "crs", "encoding", "fields", "values", "version", "valid_from",
    "source", "pollutant", "band", "table", "name", "password_env", "allow_empty",
}
_DB_PREFIXES = ("postgresql://", "postgres://", "PG:")


@dataclass
class LayerSpec:
    """One `[[layer]]` entry of a catalog, with paths resolved against the catalog's folder."""

    role: str
    path: str
    catalog: Path
    line: int
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str | None = None
    valid_from: str | None = None
    source: str | None = None
    pollutant: str | None = None
    band: int = 1
    table: str | None = None
    name: str | None = None
    password_env: str | None = None
    allow_empty: bool = False

    @property
    def where(self) -> str:
        """`catalog.toml line 12 (role redline, redline.shp)` — for messages."""
        return f"{self.catalog.name} line {self.line} (role {self.role}, {self.display_path})"

    @property
    def display_path(self) -> str:
        if self.is_database:
            return f"{self.path}#{self.table}" if self.table else self.path
        return Path(self.path).name

    @property
    def is_database(self) -> bool:
        return self.path.startswith(_DB_PREFIXES)

    @property
    def key(self) -> str:
        """Column key of a raster layer: the pollutant lower-cased without punctuation (PM2.5 -> pm25)."""
        return re.sub(r"[^0-9a-z]", "", (self.pollutant or self.name or self.role).lower())


@dataclass
class Catalog:
    """All layers of one catalog file."""

    path: Path
    layers: list[LayerSpec]

    def by_role(self, role: str) -> list[LayerSpec]:
        return [spec for spec in self.layers if spec.role == role]


def _layer_lines(text: str) -> list[int]:
    """Line numbers (1-based) of every `[[layer]]` header, so errors can point at the entry."""
    return [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"\s*\[\[\s*layer\s*\]\]", line)]


def read_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog file; raise CatalogError naming the line, file and field on any fault."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"layer catalog {path} not found: pass --catalog with the path of a catalog TOML file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise CatalogError(f"{path}: 图层目录不是 UTF-8 文本 / the layer catalog is not readable UTF-8 text ({exc}); "
                           "save it as UTF-8 TOML (see layers/README.md)") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from exc
    entries = data.get("layer")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: no [[layer]] entries; each layer needs a [[layer]] table with role and path")
    lines = _layer_lines(text)
    specs = [_spec(entry, path, lines[i] if i < len(lines) else 0) for i, entry in enumerate(entries)]
    return Catalog(path=path, layers=specs)


def _spec(entry: dict[str, Any], catalog: Path, line: int) -> LayerSpec:
    where = f"{catalog.name} line {line}"
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KNOWN_KEYS))}")
    role = entry.get("role")
    if role not in ROLES:
        raise CatalogError(f"{where}: unknown role {role!r}; use one of {', '.join(ROLES)}")
    raw_path = entry.get("path")
    if not raw_path or not isinstance(raw_path, str):
        raise CatalogError(f"{where} (role {role}): missing 'path' — the file (or postgresql:// URL) of the layer")
    spec = LayerSpec(
        role=role,
        path=_resolve(raw_path, catalog, where, role),
        catalog=catalog,
        line=line,
        layer=entry.get("layer"),
        crs=_opt_str(entry, "crs"),
        encoding=_opt_str(entry, "encoding"),
        fields={str(k): str(v) for k, v in (entry.get("fields") or {}).items()},
        values={str(k): dict(v) for k, v in (entry.get("values") or {}).items()},
        version=_opt_str(entry, "version"),
        valid_from=_date_str(entry.get("valid_from"), where),
        source=_opt_str(entry, "source"),
        pollutant=_opt_str(entry, "pollutant"),
        band=int(entry.get("band", 1)),
        table=_opt_str(entry, "table"),
        name=_opt_str(entry, "name"),
        password_env=_opt_str(entry, "password_env"),
        allow_empty=_allow_empty(entry, role, where),
    )
    _check_database(spec, where)
    _check_fields(spec)
    return spec


def _resolve(raw: str, catalog: Path, where: str, role: str) -> str:
    if raw.startswith(_DB_PREFIXES):
        check_database_url(raw, f"{where} (role {role})")
        return raw
    target = Path(raw)
    if not target.is_absolute():
        target = (catalog.parent / target).resolve()
    if not target.exists():
        raise CatalogError(f"{where} (role {role}): file {raw} not found (looked at {target}); fix 'path'")
    return str(target)


def check_database_url(url: str, where: str) -> None:
    """Refuse a database URL that carries a password (it would sit in a file and in every message)."""
    if url.startswith("PG:"):
        leaked = re.search(r"(^|\s)password\s*=", url[3:], re.IGNORECASE) is not None
    else:
        parts = urlsplit(url)
        leaked = parts.password is not None or "password" in {k.lower() for k in parse_qs(parts.query, keep_blank_values=True)}
    if leaked:
        raise CatalogError(f"{where}: the database URL contains a password; remove it and set PGPASSWORD "
                           f"(or password_env = \"VAR\", the name of an environment variable holding it)")


def _check_database(spec: LayerSpec, where: str) -> None:
    if not spec.is_database:
        if spec.password_env:
            raise CatalogError(f"{where}: password_env applies only to a postgresql:// path")
        return
    if spec.role not in VECTOR_ROLES:
        raise CatalogError(f"{where} (role {spec.role}): only vector layers can come from PostGIS; use a file")
    if not spec.table or not re.fullmatch(r'[^.\s"]+(\.[^.\s"]+)?', spec.table):
        raise CatalogError(f"{where} (role {spec.role}): a postgresql:// layer needs table = \"schema.name\" "
                           f"(or \"name\" in the search path)")


def _allow_empty(entry: dict[str, Any], role: str, where: str) -> bool:
    value = entry.get("allow_empty", False)
    if not isinstance(value, bool):
        raise CatalogError(f"{where} (role {role}): allow_empty 须为 true 或 false / allow_empty must be true or "
                           f"false, not {value!r}; write allow_empty = true")
    if value and role not in VECTOR_ROLES:
        raise CatalogError(f"{where} (role {role}): allow_empty 只适用于矢量图层 / allow_empty applies only to "
                           f"vector layers; remove it from this entry")
    return value


def _opt_str(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return None if value is None else str(value)


def _date_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise CatalogError(f"{where}: valid_from {value!r} is not a date like 2024-01-31") from exc


def _check_fields(spec: LayerSpec) -> None:
    """Field names of a layer entry against its role's; a table entry's are checked by its own package."""
    if spec.role in TABLE_ROLES:
        return
    required, optional = ROLE_FIELDS[spec.role]
    allowed = set(required) | set(optional)
    if spec.role in VECTOR_ROLES:
        check_mapped_fields(spec, allowed)
    if spec.role in RASTER_ROLES and not spec.pollutant:
        raise CatalogError(f"{spec.where}: an air_quality raster needs pollutant = \"PM2.5\" (or PM10, NO2, SO2, O3)")


def check_mapped_fields(spec: LayerSpec, allowed: set[str]) -> None:
    """CatalogError when an entry's [layer.fields] or [layer.values] name a field outside `allowed`."""
    extra = sorted(set(spec.fields) - allowed)
    if extra:
        raise CatalogError(
            f"{spec.where}: [layer.fields] has unknown name(s) {', '.join(extra)}; "
            f"for role {spec.role} use {', '.join(sorted(allowed))}"
        )
    for coded in spec.values:
        if coded not in allowed:
            raise CatalogError(f"{spec.where}: [layer.values.{coded}] maps a field role {spec.role} does not have")


def source_field(spec: LayerSpec, ours: str) -> str:
    """The source's field name for our field `ours` (the same name when the catalog does not map it)."""
    return spec.fields.get(ours, ours)
