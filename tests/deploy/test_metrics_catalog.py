"""deploy/METRICS.md against a live scrape of every service after a workload through the gateway."""

from __future__ import annotations

import re

import pytest

from scripts.metrics_catalog import (
    ALLOWED_LABELS,
    CATALOG,
    SERIES_LIMIT,
    catalog,
    documented,
    render,
    run_workload,
    scrape,
    service_urls,
)
from services.contributors.rules.tickets import DEFAULT_SLA_POLICY

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]+")
# A path segment of digits or a uuid: an id that should have been a `{template}`.
_ID_SEGMENT = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(/|$)")


@pytest.fixture(scope="module")
def scraped(cluster, users):
    """The expositions after one workload, and after a second one with fresh entities."""
    run_workload(cluster, users)
    first = scrape(service_urls(cluster))
    run_workload(cluster, users)
    return first, scrape(service_urls(cluster))


def test_every_exposed_metric_is_in_the_catalog_and_every_documented_one_is_exposed(scraped):
    exposed = set(catalog(scraped[1]))
    listed = set(documented(CATALOG.read_text()))

    assert not exposed - listed, f"exposed but missing from deploy/METRICS.md: {sorted(exposed - listed)}"
    assert not listed - exposed, f"in deploy/METRICS.md but not exposed: {sorted(listed - exposed)}"


def test_the_catalog_is_current(scraped):
    """Types, units, labels, the services exposing each metric, help texts and buckets."""
    assert CATALOG.read_text() == render(catalog(scraped[1])), (
        "deploy/METRICS.md is stale: regenerate it with `.venv/bin/python -m scripts.metrics_catalog`"
    )


def test_label_names_are_on_the_allow_list(scraped):
    outside = {
        (name, label)
        for name, metric in catalog(scraped[1]).items()
        for label in metric.labels
        if label not in ALLOWED_LABELS
    }

    assert not outside, f"labels outside the allow-list: {sorted(outside)}"


def test_label_values_carry_no_emails_urls_or_ids(scraped):
    offending = set()
    for service, text in scraped[1].items():
        for line in text.splitlines():
            if line.startswith("#") or "{" not in line:
                continue
            labels = line[line.index("{") : line.rindex("}") + 1]
            if _EMAIL.search(labels) or "://" in labels or _ID_SEGMENT.search(labels):
                offending.add((service, line.split("{", 1)[0], labels))

    assert not offending, f"label values that identify something: {sorted(offending)[:10]}"


def test_series_per_metric_stay_under_the_bound(scraped):
    over = {
        (name, service, count)
        for name, metric in catalog(scraped[1]).items()
        for service, count in metric.series.items()
        if count > SERIES_LIMIT
    }

    assert not over, f"metrics over {SERIES_LIMIT} series: {sorted(over)}"


def test_fresh_projects_contributors_and_vendors_add_no_domain_series(scraped):
    """A second workload with new ids: a label carrying an id would add series for each of them."""
    before, after = (catalog(exposition) for exposition in scraped)

    grown = {
        name: (before[name].series, metric.series)
        for name, metric in after.items()
        if name.startswith("labelops_") and metric.series != before.get(name, metric).series
    }

    assert not grown, f"domain metrics with more series after fresh entities: {grown}"


def test_histograms_have_a_bucket_at_each_slo_threshold(scraped):
    buckets = {name: {float(b) for b in metric.buckets} for name, metric in catalog(scraped[1]).items()}
    first_response = {target.first_response.total_seconds() for target in DEFAULT_SLA_POLICY.values()}

    assert (
        0.25 in buckets["http_request_duration_seconds"]
    )  # API latency SLO (deploy/prometheus/rules/slo.yml)
    assert {0.015, 0.1} <= buckets["labelops_next_latency_seconds"]  # `next` p50 and p99 targets
    assert first_response <= buckets["labelops_ticket_first_response_seconds"]
    assert {3600.0, 24 * 3600.0, 72 * 3600.0} <= buckets["labelops_task_turnaround_seconds"]
