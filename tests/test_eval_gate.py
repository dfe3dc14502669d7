"""Regression gate: the test set through the real assistant must stay at or above the floors in
eval/thresholds.json. Floors only go up: raise them when a change lifts a metric."""

import json

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def flatten(metrics: dict) -> dict[str, float]:
    out = {f"{group}.{k}": v for group, vals in metrics.items() if isinstance(vals, dict)
           for k, v in vals.items() if isinstance(v, (int, float))}
    out["abstention.answered_when_answerable"] = round(1 - metrics["abstention"]["false_decline"], 4)
    return out


def test_metrics_stay_above_their_floors(tmp_path, corpus_settings):
    from assistant.evaluation.run import run

    metrics = run(corpus_settings, testset=str(ROOT / "eval" / "testset.jsonl"), squad=None, limit=None, compare=False,
                  out=str(tmp_path / "reports"), as_json=False, progress=False)
    floors = json.loads((ROOT / "eval" / "thresholds.json").read_text())
    got = flatten(metrics)
    below = {k: (got.get(k), floor) for k, floor in floors.items() if got.get(k, -1) < floor}
    assert not below, f"metrics below their floors (got, floor): {below}"
    assert list((tmp_path / "reports").glob("*/report.md")) and list((tmp_path / "reports").glob("*/metrics.png"))
