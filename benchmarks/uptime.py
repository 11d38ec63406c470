"""Time the uptime engine: ``PYTHONPATH=plugins python benchmarks/uptime.py [N]``.

Builds N random incidents (10 services, 5 years) with ``model_construct`` (not timed),
then times ``compute()`` plus reading every window's display, median of 5 runs, and
compares it with sorting as many random interval endpoints in the same run. Also
prints the time of the first ``to_json()`` (it builds every window's statistics).
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from postmortems.incidents.model import Cause, Impact, Incident
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute

SERVICES = [f"svc{i}" for i in range(10)]
START = datetime(2019, 1, 1, tzinfo=timezone.utc)
SPAN_MINUTES = 5 * 365 * 24 * 60
RUNS = 5


def incidents(n: int, seed: int = 1) -> list[Incident]:
    rng = random.Random(seed)
    result = []
    for i in range(n):
        started = START + timedelta(minutes=rng.randrange(SPAN_MINUTES), seconds=rng.randrange(60))
        length = timedelta(minutes=rng.randrange(1, 240))
        services = rng.sample(SERVICES, rng.choice((1, 1, 1, 2, 3)))
        fields = dict(
            id=f"i{i}", title=f"Incident {i}", severity=rng.choice(("SEV1", "SEV2", "SEV3", "SEV4")),
            started=started, detected=started + timedelta(minutes=rng.randrange(10)),
            acknowledged=started + timedelta(minutes=rng.randrange(10, 20)),
            mitigated=started + length / 2, resolved=started + length, services=services,
            maintenance=rng.random() < 0.05, cause=Cause(category=rng.choice(("deploy", "config", "capacity")), summary="x"),
        )
        if rng.random() < 0.3:
            fields["impact"] = [
                Impact.model_construct(service=s, level=rng.choice(("outage", "partial", "degraded")), start=None,
                                       end=None, fraction=rng.choice((None, None, 0.5)))
                for s in services
            ]
        else:
            fields["downtime_minutes"] = round(rng.uniform(0, length.total_seconds() / 60), 2)
        result.append(Incident.model_construct(**fields))
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = incidents(n)
    settings = Settings(as_of=START + timedelta(days=5 * 365))
    endpoints = 2 * sum(len(i.impact) or len(i.services) for i in data)
    rng = random.Random(2)
    keys = [rng.randrange(10**15) for _ in range(endpoints)]
    engine, baseline, to_json = [], [], []
    for _ in range(RUNS):
        report = None
        gc.collect()
        began = time.perf_counter()
        sorted(keys)
        baseline.append(time.perf_counter() - began)
        began = time.perf_counter()
        report = compute(data, settings)
        shown = [window.display for scope in [report.site, *report.services.values()]
                 for window in [*scope.windows.values(), *scope.months.values()]]
        engine.append(time.perf_counter() - began)
        assert len(shown) == (1 + len(report.services)) * (len(report.site.windows) + len(report.site.months))
        began = time.perf_counter()
        report.to_json()
        to_json.append(time.perf_counter() - began)
    seconds, base = statistics.median(engine), statistics.median(baseline)
    print(f"N={n} median={seconds:.3f}s baseline_sort({endpoints} endpoints)={base:.3f}s ratio={seconds / base:.1f}x")
    print(f"to_json (all stats, no ledgers) median={statistics.median(to_json):.3f}s")


if __name__ == "__main__":
    main()
