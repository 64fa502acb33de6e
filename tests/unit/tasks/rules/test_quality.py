"""Label-quality rules of the tasks service, checked against the reference results in shared/data/quality.

The reference README explains how the expected numbers were produced (crowd-kit 1.4.2, krippendorff 0.9.0,
statsmodels 0.15.0, scikit-learn 1.9.1). Labels are compared exactly, deterministic numbers to 1e-6.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from services.tasks.rules.quality import (
    DawidSkeneResult,
    cohen_kappa,
    dawid_skene,
    fleiss_kappa,
    gold_accuracy,
    krippendorff_alpha_nominal,
    majority_vote,
)

# Reference results of crowd-kit, krippendorff, statsmodels and scikit-learn on these datasets (its README).
REFERENCE_DIR = Path(__file__).resolve().parents[3] / "data" / "quality"
DATASETS = ("tiny", "synth_a_fixed5", "synth_b_variable_missing")
TOL = 1e-6

# Probes of edge_cases.json that state a result but not their rows; these rows reproduce the stated setup.
PERFECT_AGREEMENT = [("x", "w1", "a"), ("x", "w2", "a"), ("y", "w1", "b"), ("y", "w2", "b")]
SYSTEMATIC_DISAGREEMENT = [
    ("x", "w1", "a"), ("x", "w2", "b"),
    ("y", "w1", "a"), ("y", "w2", "b"),
    ("z", "w1", "b"), ("z", "w2", "a"),
    ("q", "w1", "b"), ("q", "w2", "a"),
]  # fmt: skip
NO_TASK_WITH_TWO_LABELS = [("x", "w1", "a"), ("y", "w2", "b")]
NO_OVERLAP = [("x", "w1", "a"), ("y", "w2", "a"), ("z", "w2", "b")]


@dataclass(frozen=True)
class Reference:
    name: str
    annotations: tuple[tuple[str, str, Any], ...]
    gold: dict[str, Any]
    vendors: dict[str, str]
    expected: dict[str, Any]

    def label(self, raw: str) -> Any:
        """CSV cells and JSON keys are text; the reference labels have the type of its classes."""
        return type(self.expected["shape"]["classes"][0])(raw)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@cache
def _reference(name: str) -> Reference:
    expected = json.loads((REFERENCE_DIR / "expected" / f"{name}.json").read_text())
    cast = type(expected["shape"]["classes"][0])
    data = REFERENCE_DIR / "data"
    return Reference(
        name=name,
        annotations=tuple((r["task"], r["worker"], cast(r["label"])) for r in _rows(data / f"{name}.csv")),
        gold={r["task"]: cast(r["label"]) for r in _rows(data / f"{name}_gold.csv")},
        vendors={r["worker"]: r["vendor"] for r in _rows(data / f"{name}_workers.csv")},
        expected=expected,
    )


@cache
def _edge_cases() -> dict[str, Any]:
    return json.loads((REFERENCE_DIR / "expected" / "edge_cases.json").read_text())


def _edge_rows(case: str) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in _edge_cases()[case]["rows"]]


def _edge_value(case: str, *keys: str) -> Any:
    node = _edge_cases()[case]
    for key in keys:
        node = node[key]
    return node


@pytest.fixture(scope="module", params=DATASETS)
def reference(request: pytest.FixtureRequest) -> Reference:
    return _reference(request.param)


@pytest.fixture(scope="module")
def fitted(reference: Reference) -> DawidSkeneResult:
    params = reference.expected["dawid_skene"]["params"]
    return dawid_skene(reference.annotations, n_iter=params["n_iter"], tol=params["tol"])


def _untied(reference: Reference) -> set[str]:
    mv = reference.expected["majority_vote"]
    return set(mv["vote_counts"]) - set(mv["tied_tasks"])


# --- majority vote -------------------------------------------------------------------------------


def test_majority_vote_counts_every_vote(reference: Reference) -> None:
    expected = {
        task: {reference.label(label): n for label, n in counts.items()}
        for task, counts in reference.expected["majority_vote"]["vote_counts"].items()
    }

    result = majority_vote(reference.annotations)

    assert {task: dict(votes.counts) for task, votes in result.tasks.items()} == expected


def test_majority_vote_labels_untied_tasks_like_reference(reference: Reference) -> None:
    untied = _untied(reference)
    expected = {
        t: label for t, label in reference.expected["majority_vote"]["crowdkit_labels"].items() if t in untied
    }

    labels = majority_vote(reference.annotations).labels

    assert {task: labels[task] for task in untied} == expected


def test_majority_vote_reports_reference_ties_with_sorted_candidates(reference: Reference) -> None:
    tied = reference.expected["majority_vote"]["tied_tasks"]

    result = majority_vote(reference.annotations)

    assert result.ties == {task: tuple(tie["candidates"]) for task, tie in tied.items()}
    assert all(result.labels[task] is None for task in tied)


def test_majority_share_matches_reference(reference: Reference) -> None:
    expected = reference.expected["majority_vote"]["item_majority_share"]

    tasks = majority_vote(reference.annotations).tasks

    assert {task: tasks[task].majority_share for task in expected} == pytest.approx(expected, abs=TOL)


def test_pairwise_agreement_matches_reference_and_is_undefined_for_single_votes(reference: Reference) -> None:
    expected = reference.expected["majority_vote"]["item_pairwise_agreement_Pi"]

    tasks = majority_vote(reference.annotations).tasks

    assert {task: tasks[task].pairwise_agreement for task in expected} == pytest.approx(expected, abs=TOL)
    assert all(votes.pairwise_agreement is None for task, votes in tasks.items() if task not in expected)


@pytest.mark.parametrize("case", ["mv_tie_b_first", "mv_tie_a_first", "mv_tie_after_other_task"])
def test_majority_vote_tie_is_reported_whatever_the_input_order(case: str) -> None:
    result = majority_vote(_edge_rows(case))

    assert result.labels["z"] is None
    assert result.ties == {"z": ("a", "b")}


def test_majority_vote_labels_untied_task_next_to_a_tie() -> None:
    labels = majority_vote(_edge_rows("mv_tie_after_other_task")).labels

    assert labels["x"] == _edge_value("mv_tie_after_other_task", "crowdkit_mv", "value", "x")


def test_majority_vote_takes_the_only_label_of_a_single_annotator_task() -> None:
    labels = majority_vote(_edge_rows("single_annotator_item")).labels

    assert labels == _edge_value("single_annotator_item", "mv", "value")


def test_majority_vote_of_no_annotations_is_empty() -> None:
    result = majority_vote([])

    assert result.tasks == {} and result.ties == {}


# --- Dawid-Skene ---------------------------------------------------------------------------------


def test_dawid_skene_labels_match_reference(fitted: DawidSkeneResult, reference: Reference) -> None:
    assert fitted.labels == reference.expected["dawid_skene"]["labels"]


def test_dawid_skene_posteriors_match_reference(fitted: DawidSkeneResult, reference: Reference) -> None:
    ds = reference.expected["dawid_skene"]

    assert list(fitted.classes) == ds["probas_columns"]
    assert fitted.posteriors.keys() == ds["probas"].keys()
    for task, probas in ds["probas"].items():
        assert fitted.posteriors[task] == pytest.approx(probas, abs=TOL), task


def test_dawid_skene_floors_posteriors_like_reference(fitted: DawidSkeneResult, reference: Reference) -> None:
    floor = min(min(probas) for probas in reference.expected["dawid_skene"]["probas"].values())

    smallest = min(min(posteriors) for posteriors in fitted.posteriors.values())

    assert smallest == pytest.approx(floor, rel=TOL)


def test_dawid_skene_priors_match_reference(fitted: DawidSkeneResult, reference: Reference) -> None:
    expected = {reference.label(label): p for label, p in reference.expected["dawid_skene"]["priors"].items()}

    assert fitted.priors == pytest.approx(expected, abs=TOL)


def test_dawid_skene_confusion_matrices_match_reference(
    fitted: DawidSkeneResult, reference: Reference
) -> None:
    expected = reference.expected["dawid_skene"]["worker_confusion_rows_true_cols_observed"]

    assert fitted.confusion.keys() == expected.keys()
    for worker, matrix in expected.items():
        for true_class, row in enumerate(matrix):
            assert fitted.confusion[worker][true_class] == pytest.approx(row, abs=TOL), (worker, true_class)


def test_dawid_skene_runs_as_many_iterations_as_reference(
    fitted: DawidSkeneResult, reference: Reference
) -> None:
    assert fitted.iterations == reference.expected["dawid_skene"]["iterations_run"]


def test_dawid_skene_stops_early_like_reference(fitted: DawidSkeneResult, reference: Reference) -> None:
    assert fitted.converged is reference.expected["dawid_skene"]["stopped_early"]


def test_dawid_skene_final_evidence_lower_bound_matches_reference(
    fitted: DawidSkeneResult, reference: Reference
) -> None:
    assert fitted.elbo == pytest.approx(reference.expected["dawid_skene"]["elbo_per_response_final"], abs=TOL)


def test_dawid_skene_worker_accuracy_is_prior_weighted_diagonal(
    fitted: DawidSkeneResult, reference: Reference
) -> None:
    expected = reference.expected["dawid_skene"]["worker_accuracy"]["prior_weighted_diag"]

    assert fitted.worker_accuracy == pytest.approx(expected, abs=TOL)


def test_dawid_skene_stops_at_n_iter_without_converging() -> None:
    annotations = _reference("synth_a_fixed5").annotations

    result = dawid_skene(annotations, n_iter=3)

    assert (result.iterations, result.converged) == (3, False)


def test_dawid_skene_rejects_fewer_than_one_iteration() -> None:
    with pytest.raises(ValueError, match="n_iter"):
        dawid_skene(_reference("tiny").annotations, n_iter=0)


def test_dawid_skene_of_no_annotations_has_no_labels() -> None:
    result = dawid_skene([])

    assert result.labels == _edge_value("ds_empty_input", "labels", "value")
    assert result.iterations == 0


@pytest.mark.parametrize(
    ("case", "keys"),
    [
        ("single_annotator_item", ("ds_labels", "value")),
        ("all_same_label", ("ds_labels", "value")),
        ("ds_worker_uses_one_label", ("labels",)),
    ],
)
def test_dawid_skene_labels_edge_case_like_reference(case: str, keys: tuple[str, ...]) -> None:
    result = dawid_skene(_edge_rows(case))

    assert result.labels == _edge_value(case, *keys)


def test_dawid_skene_gives_zero_probability_to_a_label_the_worker_never_used() -> None:
    result = dawid_skene(_edge_rows("ds_worker_uses_one_label"))

    never_used = result.classes.index("b")
    assert [row[never_used] for row in result.confusion["w1"]] == [0.0, 0.0]


def test_dawid_skene_reports_an_exact_posterior_tie_as_no_label() -> None:
    result = dawid_skene(_edge_rows("mv_tie_b_first"))

    assert result.labels == {"z": None}
    assert result.posteriors["z"] == pytest.approx((0.5, 0.5), abs=TOL)


# --- Krippendorff's alpha ------------------------------------------------------------------------


def test_krippendorff_alpha_matches_reference(reference: Reference) -> None:
    expected = reference.expected["krippendorff"]["alpha_nominal_krippendorff_pkg"]

    assert krippendorff_alpha_nominal(reference.annotations) == pytest.approx(expected, abs=TOL)


def test_krippendorff_alpha_ignores_tasks_with_a_single_label() -> None:
    annotations = _edge_rows("single_annotator_item")
    without_single = [row for row in annotations if row[0] != "z"]

    assert krippendorff_alpha_nominal(annotations) == pytest.approx(
        krippendorff_alpha_nominal(without_single)
    )


def test_krippendorff_alpha_ignores_single_label_tasks_of_reference_data() -> None:
    reference = _reference("synth_b_variable_missing")
    counts = majority_vote(reference.annotations).tasks
    pairable = [row for row in reference.annotations if counts[row[0]].n_votes >= 2]
    assert (
        len(counts) - len({row[0] for row in pairable})
        == reference.expected["krippendorff"]["n_items_with_single_label_ignored"]
    )

    assert krippendorff_alpha_nominal(pairable) == pytest.approx(
        reference.expected["krippendorff"]["alpha_nominal_krippendorff_pkg"], abs=TOL
    )


@pytest.mark.parametrize("case", ["all_same_label", "no_item_with_two_labels"])
def test_krippendorff_alpha_is_undefined_where_reference_raises(case: str) -> None:
    annotations = _edge_rows(case) if case == "all_same_label" else NO_TASK_WITH_TWO_LABELS
    assert "exception" in _edge_value(case, "kripp_nominal")

    assert krippendorff_alpha_nominal(annotations) is None


@pytest.mark.parametrize(
    ("annotations", "case"),
    [
        (PERFECT_AGREEMENT, "perfect_agreement_two_labels"),
        (SYSTEMATIC_DISAGREEMENT, "systematic_disagreement"),
    ],
)
def test_krippendorff_alpha_at_the_extremes(annotations: list[tuple[str, str, str]], case: str) -> None:
    assert krippendorff_alpha_nominal(annotations) == pytest.approx(
        _edge_value(case, "kripp_nominal", "value")
    )


def test_krippendorff_alpha_nominal_does_not_depend_on_label_coding() -> None:
    recode = {"b": 0, "a": 1, "c": 2}
    annotations = [(task, worker, recode[label]) for task, worker, label in _reference("tiny").annotations]

    alpha = krippendorff_alpha_nominal(annotations)

    assert alpha == pytest.approx(_edge_value("kripp_level_pitfall_tiny", "nominal", "value"), abs=TOL)


# --- Fleiss' kappa -------------------------------------------------------------------------------


def test_fleiss_kappa_matches_reference_on_its_items(reference: Reference) -> None:
    fleiss = reference.expected["fleiss"]
    items = set(fleiss["items"])
    annotations = [row for row in reference.annotations if row[0] in items]

    assert fleiss_kappa(annotations) == pytest.approx(fleiss["fleiss_kappa"], abs=TOL)


@pytest.mark.parametrize("source", ["synth_b_variable_missing", "single_annotator_item"])
def test_fleiss_kappa_rejects_differing_numbers_of_raters(source: str) -> None:
    if source in DATASETS:
        annotations = list(_reference(source).annotations)
        assert "exception" in _reference(source).expected["fleiss"]["all_items"]
    else:
        annotations = _edge_rows(source)
        assert "exception" in _edge_value(source, "fleiss_unequal_raters")

    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa(annotations)


def test_fleiss_kappa_is_undefined_when_everyone_gives_the_same_label() -> None:
    assert _edge_value("all_same_label", "fleiss", "value") is None

    assert fleiss_kappa(_edge_rows("all_same_label")) is None


@pytest.mark.parametrize(
    ("annotations", "case"),
    [
        (PERFECT_AGREEMENT, "perfect_agreement_two_labels"),
        (SYSTEMATIC_DISAGREEMENT, "systematic_disagreement"),
    ],
)
def test_fleiss_kappa_at_the_extremes(annotations: list[tuple[str, str, str]], case: str) -> None:
    assert fleiss_kappa(annotations) == pytest.approx(_edge_value(case, "fleiss", "value"))


# --- Cohen's kappa -------------------------------------------------------------------------------


def _reference_pairs(reference: Reference) -> dict[tuple[str, str], float]:
    cohen = reference.expected["cohen"]
    pairs = {tuple(key.split("|")): pair["kappa"] for key, pair in cohen["all_pairs"].items()}
    for pair in cohen["chosen_pairs"].values():
        pairs[tuple(pair["workers"])] = pair.get("value", pair.get("kappa"))
    return pairs


def test_cohen_kappa_matches_reference_for_every_listed_pair(reference: Reference) -> None:
    expected = _reference_pairs(reference)

    actual = {(a, b): cohen_kappa(reference.annotations, a, b) for a, b in expected}

    assert actual == pytest.approx(expected, abs=TOL)


def test_cohen_kappa_does_not_depend_on_worker_order(reference: Reference) -> None:
    pairs = list(_reference_pairs(reference))

    swapped = {(a, b): cohen_kappa(reference.annotations, b, a) for a, b in pairs}

    assert swapped == pytest.approx({(a, b): cohen_kappa(reference.annotations, a, b) for a, b in pairs})


def test_cohen_kappa_is_undefined_without_shared_tasks() -> None:
    assert "exception" in _edge_value("cohen_no_overlap", "cohen_empty")

    assert cohen_kappa(NO_OVERLAP, "w1", "w2") is None


def test_cohen_kappa_is_undefined_when_both_workers_use_one_label() -> None:
    assert _edge_value("all_same_label", "cohen", "value") is None

    assert cohen_kappa(_edge_rows("all_same_label"), "w1", "w2") is None


@pytest.mark.parametrize(
    ("annotations", "case"),
    [
        (PERFECT_AGREEMENT, "perfect_agreement_two_labels"),
        (SYSTEMATIC_DISAGREEMENT, "systematic_disagreement"),
    ],
)
def test_cohen_kappa_at_the_extremes(annotations: list[tuple[str, str, str]], case: str) -> None:
    assert cohen_kappa(annotations, "w1", "w2") == pytest.approx(_edge_value(case, "cohen", "value"))


def test_cohen_kappa_rejects_conflicting_labels_from_one_worker_on_one_task() -> None:
    annotations = [*PERFECT_AGREEMENT, ("x", "w1", "b")]

    with pytest.raises(ValueError, match="conflicting labels"):
        cohen_kappa(annotations, "w1", "w2")


# --- gold accuracy -------------------------------------------------------------------------------


def test_gold_accuracy_per_worker_matches_reference(reference: Reference) -> None:
    expected = reference.expected["gold"]["per_worker"]

    per_worker = gold_accuracy(reference.annotations, reference.gold, reference.vendors).per_worker

    assert {w: (s.correct, s.total) for w, s in per_worker.items()} == {
        w: (e["gold_correct"], e["gold_answered"]) for w, e in expected.items()
    }
    assert {w: s.accuracy for w, s in per_worker.items()} == pytest.approx(
        {w: e["accuracy"] for w, e in expected.items()}, abs=TOL
    )


def test_gold_smoothed_accuracy_matches_reference_laplace_estimate(reference: Reference) -> None:
    expected = reference.expected["gold"]["per_worker"]

    per_worker = gold_accuracy(reference.annotations, reference.gold).per_worker

    assert {w: s.smoothed_accuracy for w, s in per_worker.items()} == pytest.approx(
        {w: e["accuracy_laplace_beta11"] for w, e in expected.items()}, abs=TOL
    )


def test_gold_accuracy_pools_answers_per_vendor(reference: Reference) -> None:
    expected = reference.expected["gold"]["per_vendor"]

    per_vendor = gold_accuracy(reference.annotations, reference.gold, reference.vendors).per_vendor

    assert {v: (s.workers, s.correct, s.total) for v, s in per_vendor.items()} == {
        v: (tuple(e["contributors_with_gold"]), e["gold_correct"], e["gold_answers"])
        for v, e in expected.items()
    }
    assert {v: s.accuracy for v, s in per_vendor.items()} == pytest.approx(
        {v: e["accuracy_micro_pooled"] for v, e in expected.items()}, abs=TOL
    )


def test_gold_accuracy_averages_worker_accuracy_per_vendor(reference: Reference) -> None:
    expected = reference.expected["gold"]["per_vendor"]

    per_vendor = gold_accuracy(reference.annotations, reference.gold, reference.vendors).per_vendor

    assert {v: s.mean_worker_accuracy for v, s in per_vendor.items()} == pytest.approx(
        {v: e["accuracy_macro_mean_of_contributors"] for v, e in expected.items()}, abs=TOL
    )


def test_gold_accuracy_overall_matches_reference(reference: Reference) -> None:
    overall = gold_accuracy(reference.annotations, reference.gold).overall

    assert overall is not None
    assert overall.accuracy == pytest.approx(reference.expected["gold"]["project_accuracy_micro"], abs=TOL)


def test_gold_accuracy_leaves_out_workers_without_gold_answers() -> None:
    # The probe does not list its gold set; {"x": "a"} is the one that yields the stated result.
    result = gold_accuracy(_edge_rows("gold_worker_without_gold"), {"x": "a"})

    accuracies = {worker: score.accuracy for worker, score in result.per_worker.items()}
    assert accuracies == _edge_value("gold_worker_without_gold", "crowdkit_get_accuracy", "value")


def test_gold_accuracy_without_vendor_mapping_has_no_vendor_scores() -> None:
    reference = _reference("tiny")

    result = gold_accuracy(reference.annotations, reference.gold)

    assert result.per_vendor == {} and result.per_worker
