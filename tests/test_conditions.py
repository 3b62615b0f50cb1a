"""Condition format and three-valued (Kleene) evaluation."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.conditions import ConditionError, FactFrame, FactSpec, parse_condition

SPECS = {
    "a": FactSpec("a", "boolean"),
    "b": FactSpec("b", "boolean"),
    "c": FactSpec("c", "boolean"),
    "x": FactSpec("x", "number"),
    "word": FactSpec("word", "string", values=("new", "expansion")),
    "name": FactSpec("name", "string"),
    "items": FactSpec("items", "list"),
}
PARAMS = {"limit": 35.0}
NA = pd.NA


def cond(raw):
    return parse_condition(raw, SPECS, PARAMS)


def run(raw, **columns):
    frame = pd.DataFrame(columns)
    return cond(raw).evaluate(frame).tolist()


# --- parsing errors


@pytest.mark.parametrize("raw, message", [
    ({"fact": "nope", "is": True}, "unknown fact `nope`"),
    ({"fact": "a", "is": "true"}, "takes true or false"),
    ({"fact": "a", "gt": 3}, "does not apply to fact `a`"),
    ({"fact": "x", "is": True}, "boolean facts only"),
    ({"fact": "x", "gt": "35"}, "needs a number"),
    ({"fact": "x", "gt": {"param": "nope"}}, "unknown parameter `nope`"),
    ({"fact": "x", "gt": {"value": 3}}, "must be {param: NAME}"),
    ({"fact": "word", "in": ["rebuild"]}, "not in the vocabulary of fact `word`"),
    ({"fact": "word", "in": []}, "non-empty list"),
    ({"fact": "word", "in": "new"}, "non-empty list"),
    ({"fact": "x", "in": [1]}, "string and list facts only"),
    ({"fact": "a", "is": True, "missing": True}, "exactly one operator"),
    ({"fact": "a"}, "exactly one operator"),
    ({"fact": "a", "equals": True}, "unknown operator"),
    ({"all": []}, "non-empty list"),
    ({"any": {"fact": "a", "is": True}}, "non-empty list"),
    ({"all": [{"fact": "a", "is": True}], "not": {"fact": "a", "is": True}}, "stand alone"),
    ({"if": 1}, "expected `all`, `any`, `not`"),
    (["a"], "must be a mapping"),
    ("a and b", "expression strings are never evaluated"),
])
def test_bad_conditions_are_errors(raw, message):
    with pytest.raises(ConditionError, match=message):
        cond(raw)


def test_error_path_points_inside_the_condition():
    with pytest.raises(ConditionError) as err:
        cond({"all": [{"fact": "a", "is": True}, {"any": [{"fact": "b", "is": True}, {"fact": "zz", "is": True}]}]})
    assert err.value.path == "when.all[1].any[1]"


def test_eval_like_strings_are_never_evaluated(tmp_path):
    target = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(target)!r}).touch() or True"
    for raw in (payload, {"all": [payload]}, {"not": payload}):
        with pytest.raises(ConditionError):
            cond(raw)
    # a payload in a value position is just a word compared as data
    c = cond({"fact": "name", "eq": payload})
    assert c.evaluate(pd.DataFrame({"name": ["x", payload]})).tolist() == [False, True]
    assert not target.exists()


def test_facts_are_collected_in_order_without_repeats():
    c = cond({"all": [{"fact": "b", "is": True}, {"not": {"fact": "a", "is": True}}, {"fact": "b", "is": False}]})
    assert c.facts == ("b", "a")


# --- Kleene truth tables

VALUES = [True, False, NA]


def kleene_and(p, q):
    if p is False or q is False:
        return False
    if p is NA or q is NA:
        return NA
    return True


def kleene_or(p, q):
    if p is True or q is True:
        return True
    if p is NA or q is NA:
        return NA
    return False


def test_and_or_not_truth_tables():
    pairs = list(itertools.product(VALUES, VALUES))
    a = pd.array([p for p, _ in pairs], dtype="boolean")
    b = pd.array([q for _, q in pairs], dtype="boolean")
    both = run({"all": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}, a=a, b=b)
    either = run({"any": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}, a=a, b=b)
    negated = run({"not": {"fact": "a", "is": True}}, a=a, b=b)
    for i, (p, q) in enumerate(pairs):
        assert both[i] is kleene_and(p, q), (p, q)
        assert either[i] is kleene_or(p, q), (p, q)
        assert negated[i] is ({True: False, False: True}.get(p, NA) if p is not NA else NA)


def test_is_false_keeps_unknown_unknown():
    assert run({"fact": "a", "is": False}, a=pd.array([True, False, NA], dtype="boolean")) == [False, True, NA]


def test_missing_is_never_unknown():
    a = pd.array([True, False, NA], dtype="boolean")
    assert run({"fact": "a", "missing": True}, a=a) == [False, False, True]
    assert run({"fact": "a", "missing": False}, a=a) == [True, True, False]


def test_absent_column_is_unknown_for_every_row():
    frame = pd.DataFrame({"b": [True, False]})
    assert cond({"fact": "a", "is": True}).evaluate(frame).tolist() == [NA, NA]
    assert cond({"fact": "a", "missing": True}).evaluate(frame).tolist() == [True, True]
    assert cond({"all": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}).evaluate(frame).tolist() == [NA, False]


@pytest.mark.parametrize("op, expected", [
    ("lt", [True, False, False, NA, False]), ("le", [True, True, False, NA, False]),
    ("gt", [False, False, True, NA, True]), ("ge", [False, True, True, NA, True]),
    ("eq", [False, True, False, NA, False]), ("ne", [True, False, True, NA, True]),
])
def test_number_comparisons_with_a_parameter(op, expected):
    x = pd.array([30, 35, 40, None, np.inf], dtype="Float64")
    assert run({"fact": "x", op: {"param": "limit"}}, x=x) == expected


def test_numbers_from_text_and_nan_are_read_fail_closed():
    x = pd.Series(["40", "n/a", None, np.nan, 20], dtype=object)
    assert run({"fact": "x", "gt": 35}, x=x) == [True, NA, NA, NA, False]


def test_in_on_strings_blank_is_unknown():
    word = pd.Series(["new", "expansion", "", "  ", None, "relocation"], dtype=object)
    assert run({"fact": "word", "in": ["new"]}, word=word) == [True, False, NA, NA, NA, False]
    assert run({"fact": "word", "ne": "new"}, word=word) == [False, True, NA, NA, NA, True]


def test_in_on_lists_matches_any_item():
    items = pd.Series(["a;b", "c", "", None, " b ; d"], dtype="string")
    assert run({"fact": "items", "in": ["b"]}, items=items) == [True, False, False, NA, True]
    assert run({"fact": "items", "missing": True}, items=items) == [False, False, False, True, False]


def test_boolean_columns_of_other_dtypes_are_read():
    a = pd.Series([1, 0, "是", "否", "maybe", None, np.nan, True], dtype=object)
    assert run({"fact": "a", "is": True}, a=a) == [True, False, True, False, NA, NA, NA, True]
    assert run({"fact": "a", "is": True}, a=np.array([True, False])) == [True, False]


def test_result_keeps_the_index_and_dtype():
    frame = pd.DataFrame({"a": [True, None]}, index=["p", "q"])
    out = cond({"fact": "a", "is": True}).evaluate(frame)
    assert list(out.index) == ["p", "q"] and out.dtype == "boolean"


def test_fact_frame_caches_typed_columns():
    ff = FactFrame(pd.DataFrame({"x": ["1", "2"]}), SPECS)
    assert ff.column("x", "number") is ff.column("x", "number")
    assert ff.missing("x").tolist() == [False, False]


tri = st.sampled_from([True, False, None])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(tri, tri, tri), min_size=1, max_size=30))
def test_nested_conditions_match_a_reference_evaluator(rows):
    raw = {"any": [{"all": [{"fact": "a", "is": True}, {"not": {"fact": "b", "is": True}}]},
                   {"all": [{"fact": "c", "missing": False}, {"fact": "c", "is": False}]}]}
    frame = pd.DataFrame({k: pd.array([r[i] for r in rows], dtype="boolean") for i, k in enumerate("abc")})
    got = cond(raw).evaluate(frame).tolist()
    for (a, b, c), value in zip(rows, got):
        notb = NA if b is None else (not b)
        left = kleene_and(NA if a is None else a, notb)
        right = kleene_and(c is not None, NA if c is None else (c is False))
        assert value is kleene_or(left, right)
