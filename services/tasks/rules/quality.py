"""Label-quality rules of the tasks service: aggregation, agreement and gold accuracy.

Pure functions over ``(task, worker, label)`` triples with no I/O. Labels must be mutually orderable
(classes are reported in sorted order). The numbers follow the reference implementations the team
validated against (crowd-kit 1.4.2 Dawid-Skene, krippendorff 0.9.0, statsmodels' Fleiss' kappa,
scikit-learn's Cohen's kappa); where a library returns NaN for an undefined statistic we return ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

Task = Hashable
Worker = Hashable
Label = Hashable
Vendor = Hashable
Annotation = tuple[Task, Worker, Label]

# Probability floor of crowd-kit's Dawid-Skene; matching it keeps posteriors comparable.
_EPS = 1e-10


def _index(values: Iterable[Hashable]) -> tuple[list[Hashable], np.ndarray]:
    """Distinct values in first-appearance order and the position of every input value among them."""
    positions: dict[Hashable, int] = {}
    codes = [positions.setdefault(value, len(positions)) for value in values]
    return list(positions), np.asarray(codes, dtype=np.intp)


def _counts_by_task(annotations: Iterable[Annotation]) -> dict[Task, Counter[Label]]:
    by_task: dict[Task, Counter[Label]] = {}
    for task, _worker, label in annotations:
        by_task.setdefault(task, Counter())[label] += 1
    return by_task


# --- majority vote -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskVotes:
    """Votes of one task; ``label`` is None and ``tied`` lists the sorted candidates when the top count is shared."""

    counts: Mapping[Label, int]
    label: Label | None
    tied: tuple[Label, ...] = ()

    @property
    def n_votes(self) -> int:
        return sum(self.counts.values())

    @property
    def majority_share(self) -> float:
        """Share of the votes held by the most voted label (tied or not)."""
        return max(self.counts.values()) / self.n_votes

    @property
    def pairwise_agreement(self) -> float | None:
        """Share of ordered pairs of votes that agree (Fleiss' P_i); None with fewer than two votes."""
        n = self.n_votes
        if n < 2:
            return None
        return sum(c * (c - 1) for c in self.counts.values()) / (n * (n - 1))


@dataclass(frozen=True)
class MajorityVoteResult:
    tasks: Mapping[Task, TaskVotes]

    @property
    def labels(self) -> dict[Task, Label | None]:
        return {task: votes.label for task, votes in self.tasks.items()}

    @property
    def ties(self) -> dict[Task, tuple[Label, ...]]:
        return {task: votes.tied for task, votes in self.tasks.items() if votes.tied}


def majority_vote(annotations: Iterable[Annotation]) -> MajorityVoteResult:
    """Each task takes its most voted label; a shared top count is no consensus and is reported as a tie."""
    tasks: dict[Task, TaskVotes] = {}
    for task, counts in _counts_by_task(annotations).items():
        top = max(counts.values())
        leaders = sorted(label for label, count in counts.items() if count == top)
        if len(leaders) == 1:
            tasks[task] = TaskVotes(counts=dict(counts), label=leaders[0])
        else:
            tasks[task] = TaskVotes(counts=dict(counts), label=None, tied=tuple(leaders))
    return MajorityVoteResult(tasks=tasks)


# --- Dawid-Skene ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DawidSkeneResult:
    """Fitted Dawid-Skene model; posteriors and confusion matrices are in ``classes`` order."""

    classes: tuple[Label, ...]
    labels: Mapping[Task, Label | None]
    posteriors: Mapping[Task, tuple[float, ...]]
    priors: Mapping[Label, float]
    # confusion[worker][true][observed]; a label the worker never gave has probability 0.
    confusion: Mapping[Worker, tuple[tuple[float, ...], ...]]
    worker_accuracy: Mapping[Worker, float]
    iterations: int
    converged: bool
    elbo: float | None  # evidence lower bound per response after the last iteration


@dataclass(frozen=True)
class _Responses:
    t: np.ndarray  # task code of every response
    w: np.ndarray  # worker code
    y: np.ndarray  # observed class code
    n_tasks: int
    n_workers: int
    n_classes: int


def _confusion_estimate(r: _Responses, posteriors: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """M-step: errors[w, observed, true], normalised over observed labels for each true class."""
    k = r.n_classes
    mass = np.zeros((r.n_workers * k, k))
    np.add.at(mass, r.w * k + r.y, posteriors[r.t])
    mass = mass.reshape(r.n_workers, k, k)
    # Only labels a worker actually gave are floored: a label never given keeps probability 0.
    mass = np.where(observed[:, :, None], np.maximum(mass, _EPS), 0.0)
    return mass / mass.sum(axis=1, keepdims=True)


def _posterior_estimate(r: _Responses, priors: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """E-step in log space, shifted by the row maximum so exponentiation cannot underflow."""
    log_lik = np.zeros((r.n_tasks, r.n_classes))
    np.add.at(log_lik, r.t, np.log2(errors[r.w, r.y]))
    log_lik += np.log2(np.maximum(priors, _EPS))
    scaled = np.exp2(log_lik - log_lik.max(axis=1, keepdims=True))
    return scaled / scaled.sum(axis=1, keepdims=True)


def _evidence_lower_bound(
    r: _Responses, posteriors: np.ndarray, priors: np.ndarray, errors: np.ndarray
) -> float:
    # crowd-kit adds the log prior once per response, not once per task; kept so iteration counts match.
    log_joint = np.log(errors[r.w, r.y]) + np.log(np.maximum(priors, _EPS))
    expectation = float((posteriors[r.t] * log_joint).sum())
    floored = np.maximum(posteriors, _EPS)
    entropy = float(-(floored * np.log(floored)).sum())
    return (expectation + entropy) / len(r.t)


def dawid_skene(
    annotations: Iterable[Annotation], *, n_iter: int = 100, tol: float = 1e-5
) -> DawidSkeneResult:
    """Each task takes the label with the highest posterior under per-worker confusion matrices fitted by EM."""
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    rows = list(annotations)
    if not rows:
        return DawidSkeneResult((), {}, {}, {}, {}, {}, iterations=0, converged=True, elbo=None)

    tasks, t = _index(task for task, _, _ in rows)
    workers, w = _index(worker for _, worker, _ in rows)
    classes = tuple(sorted({label for _, _, label in rows}))
    class_code = {label: code for code, label in enumerate(classes)}
    y = np.asarray([class_code[label] for _, _, label in rows], dtype=np.intp)
    r = _Responses(t, w, y, len(tasks), len(workers), len(classes))
    observed = np.zeros((r.n_workers, r.n_classes), dtype=bool)
    observed[w, y] = True

    # Initialise from majority-vote shares, as the reference does.
    votes = np.zeros((r.n_tasks, r.n_classes))
    np.add.at(votes, (t, y), 1.0)
    posteriors = votes / votes.sum(axis=1, keepdims=True)
    priors = posteriors.mean(axis=0)
    errors = _confusion_estimate(r, posteriors, observed)

    elbo, iterations, converged = -np.inf, 0, False
    while iterations < n_iter and not converged:
        iterations += 1
        posteriors = _posterior_estimate(r, priors, errors)
        priors = posteriors.mean(axis=0)
        errors = _confusion_estimate(r, posteriors, observed)
        new_elbo = _evidence_lower_bound(r, posteriors, priors, errors)
        # Signed test on purpose: a small decrease stops the loop too, exactly like the reference.
        converged = new_elbo - elbo < tol
        elbo = new_elbo

    # The reference reports posteriors floored at EPS (without renormalising).
    posteriors = np.maximum(posteriors, _EPS)
    best = posteriors.max(axis=1, keepdims=True)
    unique_best = (posteriors == best).sum(axis=1) == 1
    winners = posteriors.argmax(axis=1)
    confusion = errors.transpose(0, 2, 1)  # rows = true class, columns = observed label
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)
    return DawidSkeneResult(
        classes=classes,
        labels={task: classes[winners[i]] if unique_best[i] else None for i, task in enumerate(tasks)},
        posteriors={task: tuple(posteriors[i].tolist()) for i, task in enumerate(tasks)},
        priors=dict(zip(classes, priors.tolist(), strict=True)),
        confusion={worker: tuple(map(tuple, confusion[i].tolist())) for i, worker in enumerate(workers)},
        worker_accuracy=dict(zip(workers, (diagonal @ priors).tolist(), strict=True)),
        iterations=iterations,
        converged=converged,
        elbo=float(elbo),
    )


# --- agreement -----------------------------------------------------------------------------------


def _count_table(annotations: Iterable[Annotation]) -> np.ndarray:
    """Tasks x classes table of vote counts."""
    by_task = _counts_by_task(annotations)
    classes = sorted({label for counts in by_task.values() for label in counts})
    table = np.zeros((len(by_task), len(classes)))
    for i, counts in enumerate(by_task.values()):
        for j, label in enumerate(classes):
            table[i, j] = counts.get(label, 0)
    return table


def krippendorff_alpha_nominal(annotations: Iterable[Annotation]) -> float | None:
    """Krippendorff's alpha (nominal) over tasks with two or more labels; None when expected disagreement is zero."""
    table = _count_table(annotations)
    table = table[table.sum(axis=1) >= 2]
    if table.size == 0:
        return None
    pairable = table.sum(axis=1, keepdims=True)
    coincidence = (table / (pairable - 1)).T @ table - np.diag((table / (pairable - 1)).sum(axis=0))
    marginals = coincidence.sum(axis=0)
    n = marginals.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (n**2 - (marginals**2).sum()) / (n - 1)
    if expected == 0:
        return None  # a single label value: disagreement is undefined, not zero
    return float(1.0 - observed / expected)


def fleiss_kappa(annotations: Iterable[Annotation]) -> float | None:
    """Fleiss' kappa over tasks that all have the same number (>= 2) of raters; None when chance agreement is 1."""
    table = _count_table(annotations)
    if table.size == 0:
        return None
    raters = table.sum(axis=1)
    if not np.all(raters == raters[0]):
        sizes = sorted({int(n) for n in raters})
        raise ValueError(f"Fleiss' kappa needs the same number of raters on every task, got {sizes}")
    n = raters[0]
    if n < 2:
        raise ValueError("Fleiss' kappa needs at least two raters per task")
    observed = ((table * (table - 1)).sum(axis=1) / (n * (n - 1))).mean()
    chance = ((table.sum(axis=0) / table.sum()) ** 2).sum()
    if chance == 1:
        return None  # every rating is the same label
    return float((observed - chance) / (1 - chance))


def _labels_of(annotations: Iterable[Annotation], worker: Worker) -> dict[Task, Label]:
    labels: dict[Task, Label] = {}
    for task, who, label in annotations:
        if who == worker and labels.setdefault(task, label) != label:
            raise ValueError(f"worker {worker!r} gave conflicting labels on task {task!r}")
    return labels


def cohen_kappa(annotations: Iterable[Annotation], worker_a: Worker, worker_b: Worker) -> float | None:
    """Cohen's kappa of two workers on the tasks both labelled; None without overlap or when chance agreement is 1."""
    rows = list(annotations)
    labels_a, labels_b = _labels_of(rows, worker_a), _labels_of(rows, worker_b)
    shared = [task for task in labels_a if task in labels_b]
    if not shared:
        return None
    pairs = [(labels_a[task], labels_b[task]) for task in shared]
    observed = sum(a == b for a, b in pairs) / len(pairs)
    marginal_a = Counter(a for a, _ in pairs)
    marginal_b = Counter(b for _, b in pairs)
    chance = sum(marginal_a[label] * marginal_b[label] for label in marginal_a) / len(pairs) ** 2
    if chance == 1:
        return None  # both workers used one and the same label throughout
    return (observed - chance) / (1 - chance)


# --- gold accuracy -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldScore:
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    @property
    def smoothed_accuracy(self) -> float:
        """Posterior mean under a uniform Beta(1, 1) prior; ranks workers with few gold answers more fairly."""
        return (self.correct + 1) / (self.total + 2)


@dataclass(frozen=True)
class VendorGoldScore(GoldScore):
    workers: tuple[Worker, ...] = ()
    mean_worker_accuracy: float = 0.0  # unweighted mean over the vendor's workers ("macro")


@dataclass(frozen=True)
class GoldAccuracy:
    per_worker: Mapping[Worker, GoldScore]
    per_vendor: Mapping[Vendor, VendorGoldScore]
    overall: GoldScore | None  # None when no annotation hits a gold task


def gold_accuracy(
    annotations: Iterable[Annotation],
    gold: Mapping[Task, Label],
    worker_vendor: Mapping[Worker, Vendor] | None = None,
) -> GoldAccuracy:
    """Share of a worker's answers on gold tasks that equal the gold label, pooled per vendor; workers without gold answers are left out."""
    correct: Counter[Worker] = Counter()
    total: Counter[Worker] = Counter()
    for task, worker, label in annotations:
        if task in gold:
            total[worker] += 1
            correct[worker] += label == gold[task]
    per_worker = {worker: GoldScore(correct[worker], total[worker]) for worker in total}

    members: dict[Vendor, list[Worker]] = {}
    for worker in per_worker:
        if worker_vendor is not None and worker in worker_vendor:
            members.setdefault(worker_vendor[worker], []).append(worker)
    per_vendor = {}
    for vendor, workers in members.items():
        scores = [per_worker[worker] for worker in workers]
        per_vendor[vendor] = VendorGoldScore(
            correct=sum(s.correct for s in scores),
            total=sum(s.total for s in scores),
            workers=tuple(sorted(workers)),
            mean_worker_accuracy=sum(s.accuracy for s in scores) / len(scores),
        )
    overall = GoldScore(sum(correct.values()), sum(total.values())) if total else None
    return GoldAccuracy(per_worker=per_worker, per_vendor=per_vendor, overall=overall)
