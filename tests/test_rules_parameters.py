"""Parameters with dated values (OpenFisca style) and `reference` URLs in sources."""

import datetime as dt
import shutil
import textwrap

import pandas as pd
import pytest
from click.testing import CliRunner

from screening.cli.rules_cmd import rules as rules_cli
from screening.decide import decide
from screening.rules import RULES_DIR, AsOfError, RuleError, load_rules

RULE = """\
rules:
  - id: dirty_air
    title_zh: 空气超标
    title_en: air above the limit
    source:
      document: GB 3095-2012
      clause: 表1
      {reference}
    effective: 2000-01-01
    when: {{fact: pm25, gt: {{param: pm25_limit}}}}
    outcome: review
    reason_zh: 超标
    reason_en: above the limit
"""

PARAMETER = """\
parameters:
  - name: pm25_limit
    {values}
    unit: µg/m³
    source: {{document: GB 3095-2012, clause: 表1{reference}}}
"""

DATED = "values: {2012-02-29: 75, 2024-01-01: 35}"


def rulebook(tmp_path, values=DATED, rule_reference="", parameter_reference=""):
    """A rules directory with one rule comparing pm25 with the parameter pm25_limit."""
    for name in ("facts.yaml", "sectors.yaml"):
        shutil.copy(RULES_DIR / name, tmp_path / name)
    (tmp_path / "air.yaml").write_text(RULE.format(reference=rule_reference), encoding="utf-8")
    (tmp_path / "parameters.yaml").write_text(
        PARAMETER.format(values=values, reference=parameter_reference), encoding="utf-8")
    return tmp_path


def fired(rs, pm25: float, day: dt.date) -> bool:
    facts = pd.DataFrame({"pm25": pd.array([pm25], dtype="Float64")})
    return decide(facts, rs, as_of=day)["rule_ids"].iloc[0] == "dirty_air"


def test_the_value_in_force_on_as_of_is_used(tmp_path):
    rs = load_rules(rulebook(tmp_path))
    assert not fired(rs, 50, dt.date(2023, 12, 31))       # limit 75
    assert fired(rs, 80, dt.date(2023, 12, 31))
    assert fired(rs, 50, dt.date(2024, 1, 1))             # limit 35 from its first day
    assert not fired(rs, 35, dt.date(2030, 1, 1))
    assert fired(rs, 76, dt.date(2012, 2, 29))


def test_in_force_binds_the_dated_value_and_parameter_value_reads_it(tmp_path):
    rs = load_rules(rulebook(tmp_path))
    (rule,) = rs.in_force(dt.date(2020, 6, 1))
    assert rule.when.value == 75 and rule.when.param == "pm25_limit"
    assert rs.in_force(dt.date(2025, 6, 1))[0].when.value == 35
    assert rs.parameter_value("pm25_limit", dt.date(2020, 6, 1)) == 75
    assert rs.rule("dirty_air").when.value == 35          # the loaded rules hold the newest value


def test_as_of_before_the_first_date_is_an_error_naming_it(tmp_path):
    rs = load_rules(rulebook(tmp_path))
    with pytest.raises(AsOfError, match=r"参数 pm25_limit 最早的取值日期为 2012-02-29，--as-of 2012-02-28 早于该日期 / "
                                         r"parameter pm25_limit has no value before 2012-02-29"):
        fired(rs, 50, dt.date(2012, 2, 28))
    with pytest.raises(AsOfError, match="2012-02-29"):
        rs.parameter_value("pm25_limit", dt.date(2001, 1, 1))


def test_a_plain_value_beside_values_applies_before_the_first_date(tmp_path):
    rs = load_rules(rulebook(tmp_path, values="value: 150\n    " + DATED))
    assert not fired(rs, 100, dt.date(2010, 1, 1))        # 150 before 2012-02-29
    assert fired(rs, 100, dt.date(2013, 1, 1))            # 75
    assert rs.parameters["pm25_limit"].every_value == (150, 75, 35)


def test_the_single_value_form_still_works(tmp_path):
    rs = load_rules(rulebook(tmp_path, values="value: 35"))
    p = rs.parameters["pm25_limit"]
    assert (p.value, p.values, p.dated) == (35, (), False)
    assert fired(rs, 36, dt.date(2001, 1, 1)) and not fired(rs, 35, dt.date(2030, 1, 1))
    assert rs.in_force(dt.date(2030, 1, 1))[0] is rs.rule("dirty_air")


def test_thresholds_cover_every_dated_value(tmp_path):
    assert load_rules(rulebook(tmp_path)).thresholds == {"pm25": 75.0}


@pytest.mark.parametrize("values, message", [
    ("values: {soon: 3}", r"`values` must be a date like 2023-08-18, got 'soon'"),
    ("values: {2024-01-01: high}", r"`values\[2024-01-01\]` 须为数字.*must be a number, got 'high'"),
    ("values: []", r"`values` must be a mapping of date: number"),
    ("values: {2024-01-01: 3, '2024-01-01': 4}", r"date 2024-01-01 is given twice"),
    ("valeus: {2024-01-01: 3}", r"unknown field\(s\) \['valeus'\]"),
    ("", r"`value` 须为数字.*must be a number, got None"),
])
def test_bad_dated_values(tmp_path, values, message):
    with pytest.raises(RuleError, match=r"parameters\.yaml: parameter pm25_limit: .*" + message):
        load_rules(rulebook(tmp_path, values=values))


def test_the_shipped_parameters_still_load_as_single_values():
    p = load_rules().parameters["pm25_annual_limit"]
    assert (p.value, p.latest, p.values) == (35, 35, ())


# --- reference URLs


def test_reference_is_kept_for_rules_and_parameters(tmp_path):
    rs = load_rules(rulebook(tmp_path, rule_reference="reference: https://www.mee.gov.cn/gb3095.pdf",
                             parameter_reference=", reference: 'http://example.org/limits?id=1'"))
    assert rs.rule("dirty_air").source.reference == "https://www.mee.gov.cn/gb3095.pdf"
    assert rs.parameters["pm25_limit"].source.reference == "http://example.org/limits?id=1"
    assert rs.rule("dirty_air").citation == "GB 3095-2012 表1"   # the citation text is unchanged


@pytest.mark.parametrize("reference", ["www.mee.gov.cn", "ftp://mee.gov.cn/a", "https://", "https://a b.cn",
                                       "file:///etc/passwd", "42"])
def test_reference_must_be_an_http_url(tmp_path, reference):
    with pytest.raises(RuleError, match=r"rule dirty_air: `source.reference` 须为 http\(s\) 网址.*must be an http"):
        load_rules(rulebook(tmp_path, rule_reference=f"reference: '{reference}'"))
    with pytest.raises(RuleError, match=r"parameter pm25_limit: `source.reference` 须为 http\(s\) 网址"):
        load_rules(rulebook(tmp_path, parameter_reference=f", reference: '{reference}'"))


def test_rules_list_shows_reference_and_dated_values(tmp_path):
    d = rulebook(tmp_path, values="value: 150\n    " + DATED,
                 rule_reference="reference: https://www.mee.gov.cn/gb3095.pdf")
    out = CliRunner().invoke(rules_cli, ["list", "--rules", str(d)])
    assert out.exit_code == 0, out.output
    assert "dirty_air → review: 空气超标 / air above the limit  GB 3095-2012 表1 <https://www.mee.gov.cn/gb3095.pdf>" \
        in out.output
    assert "pm25_limit = 150 (before / 之前), 75 (2012-02-29), 35 (2024-01-01) µg/m³" in textwrap.dedent(out.output)
