"""Rule loading (errors name file, rule id and field) and the vectorised decision."""

import datetime as dt
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.decide import DECISION_ZH, SEVERITY, decide
from screening.rules import RULES_DIR, AsOfError, RuleError, load_rules

BASE = load_rules()

SPATIAL = ["in_redline", "redline_touching", "redline_overlap_m2", "redline_overlap_share", "redline_distance_m",
           "redline_ids", "in_park", "in_compliant_park", "in_chemical_park", "park_straddles", "park", "park_ids",
           "park_kind", "control_units", "control_unit_names", "control_unit_categories", "in_priority_unit",
           "in_key_unit", "in_general_unit", "in_coverage", "river_mainstream_distance_m",
           "river_tributary_distance_m", "river_other_distance_m", "river_distance_m", "river_nearest",
           "in_urban_area", "district", "district_code", "pm25", "pm25_max", "pm10", "no2", "so2",
           "missing_layers"]
PROJECT = ["sector", "sector_valid", "construction", "process", "major"]


def rules_dir(tmp_path, body: str, name: str = "test.yaml"):
    """A rules directory with the real registry, catalog and parameters and one rule file."""
    for f in ("facts.yaml", "sectors.yaml", "parameters.yaml"):
        shutil.copy(RULES_DIR / f, tmp_path / f)
    (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


RULE = """
  - id: {id}
    title_zh: 测试
    title_en: test
    source: {{document: 渝环〔2023〕71号, clause: (四)}}
    effective: {effective}
    when: {when}
    outcome: {outcome}
    reason_zh: 原因{id}
    reason_en: reason {id}
"""


def rule(id="r1", when="{fact: in_redline, is: true}", outcome="prohibited", effective="2020-01-01", extra=""):
    text = RULE.format(id=id, when=when, outcome=outcome, effective=effective)
    if outcome == "conditional" and "obligations" not in extra:
        extra += "    obligations: [{zh: 义务" + id + ", en: duty " + id + "}]\n"
    return text + extra


# --- the baseline set


def test_registry_holds_every_design_fact_and_every_sector_category():
    for name in SPATIAL + PROJECT + BASE.sectors.categories:
        assert name in BASE.facts, name
    assert BASE.facts["construction"].values == ("new", "expansion", "renovation", "relocation")


def test_baseline_rules_cite_sources_and_use_known_facts():
    assert len(BASE.rules) >= 20
    assert len(set(BASE.ids)) == len(BASE.ids)
    for r in BASE.rules:
        assert r.source.document and r.source.clause and r.title_zh and r.title_en
        assert set(r.facts) <= set(BASE.facts)
    assert set(BASE.required_facts) <= set(BASE.facts)
    assert {"in_redline", "pm25", "sector_valid"} <= set(BASE.required_facts)


def test_parameters_carry_their_citation():
    p = BASE.parameters["pm25_annual_limit"]
    assert (p.value, p.unit) == (35, "µg/m³") and "GB 3095-2012" in p.source.document
    assert BASE.parameters["yangtze_chemical_setback_m"].value == 1000


# --- load errors


@pytest.mark.parametrize("body, message", [
    (rule(when="{fact: in_redlines, is: true}"), r"test\.yaml: rule r1: when: unknown fact `in_redlines`"),
    (rule().replace("    source: {document: 渝环〔2023〕71号, clause: (四)}\n", ""),
     r"rule r1: missing field\(s\) \['source'\] \(every rule cites"),
    (rule().replace("document: 渝环〔2023〕71号", "document: ''"), r"rule r1: `source.document` must be non-empty"),
    (rule().replace("clause: (四)", "clause: ' '"), r"rule r1: `source.clause` must be non-empty"),
    (rule(outcome="conditional", extra="    obligations: []\n"), r"rule r1: `obligations`.*required"),
    (rule(outcome="banned"), r"rule r1: `outcome` must be one of"),
    (rule(effective="someday"), r"rule r1: `effective` must be a date"),
    (rule(extra="    expires: 2019-01-01\n"), r"rule r1: `expires` \(2019-01-01\) must come after"),
    (rule(extra="    obligation: [{zh: a, en: b}]\n"), r"rule r1: unknown field\(s\) \['obligation'\]"),
    (rule(when="'in_redline and steel'"), r"rule r1: when: .*expression strings are never evaluated"),
    (rule(when="{fact: pm25, gt: {param: pm25_limit}}"), r"rule r1: when: unknown parameter `pm25_limit`"),
    (rule(when="{fact: construction, in: [rebuild]}"), r"rule r1: when: \['rebuild'\] not in the vocabulary"),
    (rule() + rule(), r"rule r1: id already used"),
    (rule(id="Bad-Id"), r"rule Bad-Id: `id` must be lower_snake_case"),
])
def test_load_errors_name_file_rule_and_field(tmp_path, body, message):
    with pytest.raises(RuleError, match=message):
        load_rules(rules_dir(tmp_path, "rules:\n" + body))


def test_duplicate_id_across_files(tmp_path):
    d = rules_dir(tmp_path, "rules:\n" + rule())
    (d / "more.yaml").write_text("rules:\n" + textwrap.dedent(rule()), encoding="utf-8")
    with pytest.raises(RuleError, match=r"test\.yaml: rule r1: id already used in .*more\.yaml"):
        load_rules(d)


def test_rule_file_without_rules_list(tmp_path):
    with pytest.raises(RuleError, match=r"test\.yaml: expected `rules:`"):
        load_rules(rules_dir(tmp_path, "rule: []\n"))


def test_sector_category_missing_from_facts_registry(tmp_path):
    d = rules_dir(tmp_path, "rules:\n" + rule())
    facts = (d / "facts.yaml").read_text(encoding="utf-8")
    (d / "facts.yaml").write_text(facts.replace("  pulp_paper:\n", "  pulp_paper_x:\n"), encoding="utf-8")
    with pytest.raises(RuleError, match="pulp_paper"):
        load_rules(d)


def test_parameter_without_source(tmp_path):
    d = rules_dir(tmp_path, "rules:\n" + rule())
    (d / "parameters.yaml").write_text("parameters:\n  - {name: limit, value: 3, unit: m}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"parameter limit: `source` is required"):
        load_rules(d)


# --- decide


def synthetic(tmp_path):
    body = "rules:\n" + "".join([
        rule("p", "{fact: in_redline, is: true}", "prohibited"),
        rule("r", "{fact: in_urban_area, is: true}", "review"),
        rule("c", "{fact: in_priority_unit, is: true}", "conditional"),
        rule("n", "{fact: park_straddles, is: true}", "note"),
        rule("a", "{fact: in_park, is: true}", "admissible"),
    ])
    return load_rules(rules_dir(tmp_path, body))


def frame(**cols):
    base = {"in_redline": False, "in_urban_area": False, "in_priority_unit": False, "park_straddles": False,
            "in_park": False}
    n = max(len(v) for v in cols.values())
    data = {k: pd.array(cols.get(k, [v] * n), dtype="boolean") for k, v in base.items()}
    return pd.DataFrame(data)


def test_severity_is_the_most_severe_fired_outcome(tmp_path):
    rs = synthetic(tmp_path)
    f = frame(in_redline=[True, False, False, False, False, True, False],
              in_urban_area=[True, True, False, False, False, False, False],
              in_priority_unit=[True, True, True, False, False, False, False],
              park_straddles=[True, True, True, True, False, False, False],
              in_park=[True, True, True, True, True, False, False])
    out = decide(f, rs)
    assert out["decision"].tolist() == ["prohibited", "review", "conditional", "admissible", "admissible",
                                        "prohibited", "admissible"]
    assert out["decision_zh"].tolist()[:4] == ["禁止准入", "需人工复核", "有条件准入", "准予准入"]
    assert out["rule_ids"].tolist() == ["p;r;c;n;a", "r;c;n;a", "c;n;a", "n;a", "a", "p", ""]
    assert out.loc[3, "reasons"] == "原因n (reason n) [渝环〔2023〕71号 (四)] | 原因a (reason a) [渝环〔2023〕71号 (四)]"
    assert out.loc[2, "obligations"] == "义务c (duty c)"
    assert out.loc[0, "citations"] == "渝环〔2023〕71号 (四)"  # one citation, not five
    assert out.loc[6, "reasons"] == "" and out.loc[6, "undecided"] == ""
    assert list(out.columns) == ["decision", "decision_zh", "rule_ids", "reasons", "obligations", "citations",
                                 "undecided"]
    assert all(out[c].dtype == "string" for c in out.columns)


def test_unknown_fact_makes_the_row_review_with_a_reason(tmp_path):
    rs = synthetic(tmp_path)
    f = frame(in_redline=[None, None, True], in_priority_unit=[True, False, None])
    out = decide(f, rs)
    assert out["decision"].tolist() == ["review", "review", "prohibited"]
    assert out.loc[0, "undecided"] == "p"
    # the rule's title and the fact's label from rules/facts.yaml, not internal names (issue 11, item 7)
    assert ('rule "test" could not be decided: site overlaps an ecological red line beyond the tolerance unknown'
            in out.loc[0, "reasons"])
    assert "规则「测试」无法判定：项目用地与生态保护红线重叠（超过容差）未知" in out.loc[0, "reasons"]
    assert "in_redline" not in out.loc[0, "reasons"]
    assert out.loc[2, "undecided"] == "c"  # still listed, prohibited wins


def test_undecided_note_does_not_raise_severity(tmp_path):
    rs = synthetic(tmp_path)
    out = decide(frame(park_straddles=[None]), rs)
    assert out.loc[0, "decision"] == "admissible"
    assert out.loc[0, "undecided"] == "n" and out.loc[0, "reasons"] == ""


def test_absent_column_is_unknown(tmp_path):
    rs = synthetic(tmp_path)
    out = decide(frame(in_redline=[False]).drop(columns="in_urban_area"), rs)
    assert out.loc[0, "decision"] == "review" and out.loc[0, "undecided"] == "r"


def test_effective_and_expiry_dates(tmp_path):
    body = "rules:\n" + rule("old", effective="2020-01-01", extra="    expires: 2024-01-01\n") + rule(
        "new", effective="2024-01-01", outcome="review")
    rs = load_rules(rules_dir(tmp_path, body))
    f = frame(in_redline=[True])
    with pytest.raises(AsOfError, match="2020-01-01"):
        decide(f, rs, as_of=dt.date(2019, 12, 31))
    assert decide(f, rs, as_of=dt.date(2023, 12, 31))["rule_ids"].iloc[0] == "old"
    assert decide(f, rs, as_of=dt.date(2024, 1, 1))["rule_ids"].iloc[0] == "new"
    assert decide(f, rs)["decision"].iloc[0] == "review"  # today


def test_index_is_kept_and_empty_frames_work(tmp_path):
    rs = synthetic(tmp_path)
    f = frame(in_redline=[True, False])
    f.index = ["x", "y"]
    assert list(decide(f, rs).index) == ["x", "y"]
    assert len(decide(f.iloc[:0], rs)) == 0


def test_decision_labels_and_order():
    assert sorted(SEVERITY, key=SEVERITY.get) == ["admissible", "conditional", "review", "prohibited"]
    assert DECISION_ZH["prohibited"] == "禁止准入" and DECISION_ZH["admissible"] == "准予准入"


def test_baseline_decide_on_100k_synthetic_rows():
    rng = np.random.default_rng(7)
    n = 100_000
    codes = rng.choice(["3011", "3120", "2614", "2511", "4411", "4416", "3911", "4812", "0610", None, "9999"], n)
    facts = BASE.sectors.facts(pd.Series(codes, dtype=object))

    def maybe(p_true, p_na=0.02):
        values = pd.array(rng.random(n) < p_true, dtype="boolean")
        values[rng.random(n) < p_na] = pd.NA
        return values

    facts = facts.assign(
        construction=pd.array(rng.choice(["new", "expansion", "renovation", "relocation", None], n), dtype="string"),
        process=pd.array(rng.choice(["grinding_station", "clinker", "eaf", "bf_bof", "电炉", None], n), dtype="string"),
        major=maybe(0.01), in_redline=maybe(0.05), redline_touching=maybe(0.01), in_compliant_park=maybe(0.6),
        park_straddles=maybe(0.05), in_priority_unit=maybe(0.1), in_urban_area=maybe(0.2), in_coverage=maybe(0.98),
        river_mainstream_distance_m=pd.array(rng.uniform(0, 20000, n), dtype="Float64"),
        river_tributary_distance_m=pd.array(rng.uniform(0, 20000, n), dtype="Float64"),
        pm25=pd.array(rng.uniform(20, 50, n), dtype="Float64"),
        park=pd.array(rng.choice(["", "长寿经济技术开发区", "重庆经济技术开发区"], n), dtype="string"),
    )
    out = decide(facts, BASE)
    assert len(out) == n and out.index.equals(facts.index)
    assert set(out["decision"].unique()) == {"prohibited", "review", "conditional", "admissible"}
    # fail closed: a row with a missing code is never admissible or conditional
    assert set(out.loc[facts["sector"].isna(), "decision"]) <= {"review", "prohibited"}
    # spot-check one row against a one-row evaluation
    i = int(rng.integers(n))
    assert out.iloc[i].tolist() == decide(facts.iloc[[i]], BASE).iloc[0].tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["3011", "3120", "2614", "4812", "3911", None]),
                          st.sampled_from(["new", "renovation", None]),
                          st.sampled_from(["clinker", "grinding_station", None]),
                          *[st.sampled_from([True, False, None])] * 4),
                min_size=1, max_size=25))
def test_batch_decision_equals_row_by_row(rows):
    codes, construction, process, redline, park, unit, cover = zip(*rows)
    facts = BASE.sectors.facts(pd.Series(codes, dtype=object)).assign(
        construction=pd.array(construction, dtype="string"), process=pd.array(process, dtype="string"),
        in_redline=pd.array(redline, dtype="boolean"), in_compliant_park=pd.array(park, dtype="boolean"),
        in_priority_unit=pd.array(unit, dtype="boolean"), in_coverage=pd.array(cover, dtype="boolean"),
        major=False)
    batch = decide(facts, BASE)
    for i in range(len(rows)):
        assert batch.iloc[i].tolist() == decide(facts.iloc[[i]], BASE).iloc[0].tolist()
