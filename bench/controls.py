"""Access window: how long after a control's 2xx the work it stops can still go on.

    python -m bench.controls              # 30 trials per control
    python -m bench.controls --trials 10

On the real processes (fresh PostgreSQL databases, driven through the gateway), each trial puts a
contributor to work and performs one control, then probes the action it must stop every 5 ms:

- offboarding (contributors -> tasks and gateway): the held lease's heartbeat (401 once the gateway
  disabled the user, 409 once tasks released the lease);
- vendor suspension (vendors -> tasks): `next` by the vendor's staffer (204 vendor_not_active);
- opting out of harmful content (contributors -> tasks): the held harmful lease's heartbeat (409).

The window is the time from the control's response to the first refused probe; after it, ten more
probes must all be refused too ("after" counts any that were not). Prints p50, p99 and max per control.

Then the hard cap's overshoot: a vendor's budget buys CAP_UNITS tasks and STAFF of its people loop
next -> submit concurrently until `next` answers budget_cap; it prints how many answers were accepted
beyond the cap (bounded by the `next` calls in flight when the cap was reached).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx

from bench.assignment import _pct
from bench.cluster import bench_cluster
from tests.services.contributors.support import activate, move, new_contributor
from tests.services.tasks.helpers import active_project, upsert_profile
from tests.services.vendors.support import (
    active_contract_with_rates,
    new_vendor,
    vendor_project,
    vendor_staff,
)
from tests.support.api import Users
from tests.support.cluster import Cluster
from tests.support.waiting import eventually

PROBE_SECONDS = 0.005
AFTER_PROBES = 10
CAP_UNITS = 40
STAFF = 8


def _window(control: Callable[[], httpx.Response], refused: Callable[[], bool]) -> tuple[float, int]:
    """Seconds from the control's 2xx to the first refused probe, and how many later probes succeeded."""
    response = control()
    assert response.is_success, response.text
    done = time.perf_counter()
    while not refused():
        time.sleep(PROBE_SECONDS)
    window = time.perf_counter() - done
    return window, sum(not refused() for _ in range(AFTER_PROBES))


class Trials:
    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.users = Users(cluster.gateway_url)
        self.admin = self.users.admin
        self.ops = self.users.create("ops")
        self.vendor_manager = self.users.create("vendor_manager")

    def _person_at_work(self, queue_id: int) -> tuple[dict, httpx.Client, int]:
        person = new_contributor(self.ops, languages=[{"code": "en", "proficiency": "native"}])
        activate(self.ops, person["id"])
        client = self.users.create("contributor", contributor_id=person["id"])
        lease = eventually(
            lambda: (r := client.post(f"/api/v1/queues/{queue_id}/next")).status_code == 200 and r.json()
        )
        return person, client, lease["assignment_id"]

    def offboarding(self, queue_id: int) -> tuple[float, int]:
        person, client, assignment_id = self._person_at_work(queue_id)
        return _window(
            lambda: move(self.ops, person["id"], "offboarded", reason="bench"),
            lambda: client.post(f"/api/v1/assignments/{assignment_id}/heartbeat").status_code in (401, 409),
        )

    def opting_out(self, queue_id: int) -> tuple[float, int]:
        person, client, assignment_id = self._person_at_work(queue_id)
        return _window(
            lambda: client.put(
                f"/api/v1/contributors/{person['id']}/wellness/opt-out", json={"opted_out_harmful": True}
            ),
            lambda: client.post(f"/api/v1/assignments/{assignment_id}/heartbeat").status_code == 409,
        )

    def vendor_suspension(self, tasks: int) -> tuple[float, int]:
        vendor = new_vendor(self.vendor_manager)
        for to in ("onboarding", "active"):
            self.vendor_manager.post(f"/api/v1/vendors/{vendor['id']}/transitions", json={"to": to})
        _, queues = active_project(
            self.admin, tasks=tasks, allowed_vendors=[vendor["id"]], crowd_allowed=False
        )
        staffer_id = 10**8 + vendor["id"]
        upsert_profile(self.cluster, staffer_id, vendor_id=vendor["id"])
        staffer = self.users.create("contributor", contributor_id=staffer_id, vendor_id=vendor["id"])
        url = f"/api/v1/queues/{queues['labeling']}/next"
        # Each probe that is served takes a task: the project has enough for the whole window.
        return _window(
            lambda: self.vendor_manager.post(
                f"/api/v1/vendors/{vendor['id']}/transitions", json={"to": "suspended"}
            ),
            lambda: staffer.post(url).headers.get("LabelOps-Queue-Reason") == "vendor_not_active",
        )


def overshoot(trials: Trials) -> tuple[int, int]:
    """(answers accepted, units the cap bought) with STAFF people working the capped project at once."""
    manager = trials.vendor_manager
    vendor = new_vendor(manager)
    rates = [{"task_type": "bbox", "language": "fr", "unit": "task", "unit_price": "1.00"}]
    active_contract_with_rates(manager, vendor["id"], rates, starts_on=str(date.today() - timedelta(days=1)))
    project, queues = vendor_project(
        trials.admin, vendor["id"], task_type="bbox", language="fr", tasks=CAP_UNITS * 3
    )
    staff = [vendor_staff(trials.admin, trials.users, vendor["id"], languages=("fr",)) for _ in range(STAFF)]
    budget = manager.post(
        "/api/v1/budgets",
        json={"project_id": project["id"], "vendor_id": vendor["id"], "amount": f"{CAP_UNITS}.00", "currency": "USD",
              "period_start": str(date.today()), "period_end": str(date.today() + timedelta(days=30)), "hard_cap": True},
    )  # fmt: skip
    assert budget.status_code == 201, budget.text
    explain = f"/api/v1/queues/{queues['labeling']}/eligibility"

    def cap_known() -> bool:
        rules = trials.admin.get(explain, params={"contributor_id": staff[0].contributor_id}).json()["rules"]
        return next(r for r in rules if r["rule"] == "within_budget")["compared"]["max_units"] == CAP_UNITS

    eventually(cap_known)

    def labour(client: httpx.Client) -> int:
        accepted = 0
        while (lease := client.post(f"/api/v1/queues/{queues['labeling']}/next")).status_code == 200:
            answer = {"answer": "cat", "time_spent_seconds": 5}
            submitted = client.post(
                f"/api/v1/assignments/{lease.json()['assignment_id']}/submit", json=answer
            )
            accepted += submitted.status_code == 201
        return accepted

    with ThreadPoolExecutor(STAFF) as pool:
        return sum(pool.map(labour, staff)), CAP_UNITS


def _report(name: str, results: list[tuple[float, int]]) -> str:
    windows = [w * 1000 for w, _ in results]
    after = sum(a for _, a in results)
    return (
        f"{name:<20} {len(results):>6} {_pct(windows, 0.5):>9.1f}ms {_pct(windows, 0.99):>9.1f}ms"
        f" {max(windows):>9.1f}ms {after:>6}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=30, help="trials per control")
    args = parser.parse_args()
    with bench_cluster("labelops-controls-") as (cluster, _urls):
        trials = Trials(cluster)
        _, plain = active_project(trials.admin, tasks=args.trials + 5)
        _, harmful = active_project(trials.admin, tasks=args.trials + 5, content_severity="medium")
        results = {
            "offboarding": [trials.offboarding(plain["labeling"]) for _ in range(args.trials)],
            "opting out": [trials.opting_out(harmful["labeling"]) for _ in range(args.trials)],
            "vendor suspension": [trials.vendor_suspension(tasks=200) for _ in range(args.trials)],
        }
        accepted, cap = overshoot(trials)
    print(f"{'control':<20} {'trials':>6} {'p50':>11} {'p99':>11} {'max':>11} {'after':>6}")
    for name, rows in results.items():
        print(_report(name, rows))
    print(
        f"hard cap: {STAFF} people at once, cap {cap} units, {accepted} answers accepted, overshoot {accepted - cap}"
    )
    return 0 if all(a == 0 for rows in results.values() for _, a in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
