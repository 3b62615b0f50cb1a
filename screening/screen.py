"""Screen projects: project facts + spatial facts (one vectorised pass of `zoning`) + rules -> decisions.

Examples
--------
>>> import screening
>>> results = screening.screen("examples/projects.csv")            # doctest: +SKIP
>>> results[["project_id", "decision", "rule_ids"]].head(3)         # doctest: +SKIP
>>> results.attrs["provenance"]["layer_editions"]["redline"]        # doctest: +SKIP
'demo-2026.11 (valid from 2026-11-01)'
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import STORAGE_CRS
from zoning.data import default_catalog, default_rules
from zoning.facts import cap_distances, check_max_distance, compute_facts
from zoning.layers import ZoningLayers, load_layers

from .admission import LIST_COLUMNS, admission_lists, apply_admission, unit_table
from .decide import DECISION_ZH, decide
from .projects import ASSUMED_NOTICE, ProjectList, read_projects, resolve_columns, standardize
from .rules import RuleSet, load_rules

#: the columns every result carries after the input's own, in this order
RESULT_COLUMNS = (
    "decision", "decision_zh", "rule_ids", "reasons", "obligations", "citations", "list_requirements",
    "requirements_to_check", "error", "warnings",
    "in_redline", "redline_overlap_m2", "redline_distance_m", "park", "control_units", "control_unit_categories",
    "river_distance_m", "in_urban_area", "district",
)
#: further facts kept in the results (after the raster columns) so maps and reports can show them
EXTRA_COLUMNS = (
    "sector_code", "sector_name", "construction_type", "undecided", "missing_layers", "in_coverage", "in_compliant_park",
    "park_straddles", "in_priority_unit", "redline_overlap_share", "river_mainstream_distance_m",
    "river_tributary_distance_m", "river_nearest", "coords_system", "coords_assumed", "project_id", "project_name",
)
_PROJECT_FACTS = ("construction", "process", "process_known", "major")


def project_facts(projects: gpd.GeoDataFrame, rules: RuleSet) -> pd.DataFrame:
    """Non-spatial facts: the sector catalog's columns plus construction, process and major."""
    sectors = rules.sectors.facts(projects["sector_raw"])
    sectors.index = projects.index
    return pd.concat([sectors, projects[list(_PROJECT_FACTS)]], axis=1)


def project_list(source, *, crs=None, coords=None, **read_options) -> ProjectList:
    """What `screen` screens, from a path, a ProjectList (as is) or a (Geo)DataFrame of projects.

    A path is read by `read_projects` (`crs`, `coords` and `read_options` such as `layer`, `encoding`,
    `header_row` go to it). A DataFrame is standardized like a file's rows: its columns are matched by name
    (项目编号/id, 经度/lon, …) and a GeoDataFrame's own geometry locates rows without location columns.
    """
    if isinstance(source, ProjectList):
        return source
    if isinstance(source, (str, os.PathLike)):
        return read_projects(source, crs=crs, coords=coords, **read_options)
    if isinstance(source, pd.DataFrame):
        geometry = source.geometry if isinstance(source, gpd.GeoDataFrame) else None
        original = pd.DataFrame(source.drop(columns=geometry.name) if geometry is not None else source)
        projects = standardize(original, crs=crs, geometry=geometry, source="(DataFrame)", coords=coords)
        notes = [ASSUMED_NOTICE] if projects["coords_assumed"].any() else []
        return ProjectList(source="(DataFrame)", original=original, projects=projects,
                           column_map=resolve_columns(original.columns), notes=notes)
    raise TypeError(f"screen() takes a path, a ProjectList or a (Geo)DataFrame, not {type(source).__name__}")


def screen(projects, layers: ZoningLayers | str | os.PathLike | None = None,
           rules: RuleSet | str | os.PathLike | None = None, *, as_of: dt.date | None = None,
           tolerance_m2: float = 1.0, max_distance_m: float | None = None,
           progress: Callable[[str], None] | None = None) -> gpd.GeoDataFrame:
    """Every input row, in order, with its columns, then the decision columns and the facts behind them.

    `projects` is a path (read with `read_projects`), a ProjectList or a (Geo)DataFrame (`project_list`);
    `layers` loaded layers or a catalog path, `rules` a RuleSet or a rules folder — by default the catalog
    and rules of `zoning.data.default_catalog()` / `default_rules()` ($ZONING_CATALOG, $ZONING_RULES, the
    shipped demo and rulebook). The results carry the standardized `project_id`, `project_name` and
    `sector_code`, and ``results.attrs["provenance"]``: what decided (input, catalog, layer editions,
    rules folder, date, options) — what `write_outputs` records in summary.json.

    Fail closed: `as_of` before the rulebook's earliest effective date is an AsOfError (RuleError,
    ValueError); `max_distance_m` <= 0 is a MaxDistanceError (ZoningError, ValueError) — both before any
    work. `max_distance_m` only caps what is reported: every distance a rule compares with a threshold
    (RuleSet.thresholds) is computed at least that far, the rules and lists decide on those facts, and
    only the result columns show distances beyond the cap as inf. Decisions never depend on the cap.
    """
    step = progress or (lambda _msg: None)
    cap = check_max_distance(max_distance_m)
    projects = project_list(projects)
    rules = rules if isinstance(rules, RuleSet) else load_rules(rules if rules is not None else default_rules())
    rules.in_force(as_of)  # an as_of before the rulebook fails here, before any work
    if not isinstance(layers, ZoningLayers):
        layers = load_layers(layers if layers is not None else default_catalog())
    proj = projects.projects
    step("project facts")
    facts = project_facts(proj, rules)
    step("spatial facts")
    spatial = compute_facts(proj.geometry, layers, tolerance_m2=tolerance_m2, max_distance_m=cap,
                            exact_within_m=rules.thresholds)
    facts = pd.concat([facts, spatial], axis=1)
    step("rules")
    decisions = decide(facts, rules, as_of=as_of)
    step("admission lists")
    decisions = apply_admission(decisions, facts, admission_lists(layers, rules.sectors), unit_table(layers),
                                as_of=as_of)
    step("results")
    results = _assemble(projects, cap_distances(facts, cap), decisions, rules, layers)
    results.attrs["provenance"] = provenance(projects, layers, rules, as_of=as_of, tolerance_m2=tolerance_m2,
                                             max_distance_m=max_distance_m)
    return results


def provenance(projects: ProjectList, layers: ZoningLayers, rules: RuleSet, *, as_of: dt.date | None = None,
               **options) -> dict:
    """What decided, for summary.json and reports: input (sheet, notes, rows with an assumed coordinate
    system), catalog, layer editions (and layers allowed empty), rules folder, the date and the options."""
    meta = {
        "input": projects.source,
        "catalog": str(layers.catalog.path) if layers.catalog is not None else None,
        "layer_editions": layers.editions(),
        "allowed_empty_layers": list(getattr(layers, "allowed_empty", []) or []),
        "rules": str(rules.directory),
        "as_of": (as_of or dt.date.today()).isoformat(),
        "options": {k: v for k, v in options.items() if v is not None},
    }
    if projects.sheet:
        meta["sheet"] = projects.sheet
    if projects.notes:
        meta["notes"] = list(projects.notes)
    assumed = projects.projects.get("coords_assumed")
    if assumed is not None:
        meta["coords_assumed_rows"] = int(assumed.sum())
    return meta


def _assemble(projects: ProjectList, facts: pd.DataFrame, decisions: pd.DataFrame, rules: RuleSet,
              layers: ZoningLayers) -> gpd.GeoDataFrame:
    proj = projects.projects
    invalid = (proj["error"].fillna("") != "").to_numpy()
    out = decisions.copy()
    out.loc[invalid, "decision"] = "invalid"
    out["decision_zh"] = out["decision"].map(DECISION_ZH).astype("string")
    for col in ("rule_ids", "reasons", "obligations", "citations", "undecided", *LIST_COLUMNS):
        out.loc[invalid, col] = ""
    out.loc[invalid, "reasons"] = proj.loc[invalid, "error"]
    _name_missing_layers(out, facts, invalid)
    out["error"] = proj["error"].fillna("")
    out["warnings"] = _warnings(proj, facts)
    raster_cols = [c for r in layers.rasters for c in (r.key, f"{r.key}_max")]
    out["sector_code"] = facts["sector"]
    out["sector_name"] = _sector_names(facts["sector"], rules)
    out["construction_type"] = facts["construction"]
    out["project_id"] = proj["id"].to_numpy()  # the standardized id and name, whatever the input called them
    out["project_name"] = proj["name"].to_numpy()
    for col in ("coords_system", "coords_assumed"):  # which system each row's lon/lat was read in, and whether assumed
        if col in proj:
            out[col] = proj[col]
    fact_cols = [c for c in (*RESULT_COLUMNS, *raster_cols, *EXTRA_COLUMNS) if c not in out.columns]
    out = pd.concat([out, facts[[c for c in fact_cols if c in facts.columns]]], axis=1)
    ordered = [c for c in (*RESULT_COLUMNS, *raster_cols, *EXTRA_COLUMNS) if c in out.columns]
    original = projects.original.copy()
    original.index = proj.index
    clash = [c for c in original.columns if c in ordered or c == "geometry"]
    original = original.rename(columns={c: f"{c}_input" for c in clash})
    result = pd.concat([original, out[ordered]], axis=1)
    return gpd.GeoDataFrame(result, geometry=proj.geometry.values, crs=STORAGE_CRS)


def _name_missing_layers(out: pd.DataFrame, facts: pd.DataFrame, invalid: np.ndarray) -> None:
    """A row whose facts a layer could not give says which layer(s), next to the reasons (never 'nothing there')."""
    if "missing_layers" not in facts:
        return
    missing = facts["missing_layers"].fillna("").astype(str).to_numpy()
    rows = np.flatnonzero((missing != "") & ~invalid)
    if not len(rows):
        return
    codes, uniques = pd.factorize(missing[rows])
    notes = np.array([f"图层无法回答 / no answer from layer(s): {u.replace(';', ', ')}" for u in uniques], dtype=object)
    reasons = out["reasons"].fillna("").to_numpy(dtype=object).copy()
    add = notes[codes]
    reasons[rows] = np.where(reasons[rows] == "", add, reasons[rows] + " | " + add)
    out["reasons"] = pd.array(reasons, dtype=pd.StringDtype("python"))


def _sector_names(codes: pd.Series, rules: RuleSet) -> pd.Series:
    """The GB/T 4754 name of each (normalized) sector code, looked up once per distinct code."""
    table = {c: rules.sectors.name(c) for c in codes.dropna().unique()}
    return codes.map(table).astype("string")


def _warnings(proj: gpd.GeoDataFrame, facts: pd.DataFrame) -> pd.Series:
    """The reader's warnings plus a claimed park (name or id) the site is not wholly inside."""
    warnings = proj["warnings"].fillna("").astype(object).to_numpy().copy()
    claim = proj["park_claim"].fillna("").astype(str).str.strip()
    located = (proj["error"].fillna("") == "").to_numpy()
    rows = np.flatnonzero((claim != "").to_numpy() & located)
    if len(rows) and "park" in facts:
        names = pd.concat([facts[c].fillna("").astype(str).str.split(";").explode() for c in ("park", "park_ids")])
        held = pd.MultiIndex.from_arrays([facts.index.get_indexer(names.index), names.to_numpy()])
        asked = pd.MultiIndex.from_arrays([rows, claim.to_numpy()[rows]])
        wrong = rows[~asked.isin(held)]
        msg = np.array([f"申报园区“{c}”与选址不符 / site is not inside the claimed park '{c}'"
                        for c in claim.to_numpy()[wrong]], dtype=object)
        warnings[wrong] = np.where(warnings[wrong] == "", msg, warnings[wrong] + "; " + msg)
    return pd.Series(pd.array(warnings, dtype="string"), index=proj.index)
