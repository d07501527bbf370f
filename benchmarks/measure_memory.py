"""Memory per job: create N jobs through ``Simulator.call`` in a fresh process.

    python benchmarks/measure_memory.py 1000000 --transcript on --method tracemalloc

Prints one JSON line: ``{"jobs", "transcript", "method", "bytes", "bytes_per_job"}``.
``tracemalloc`` counts the bytes Python allocated and still holds (exact, slower);
``rss`` is the growth of the resident set (includes allocator slack, faster).
The baseline is taken after the simulator and its project exist, so the figure is
the cost of the jobs (and, with the transcript on, of their transcript entries).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import workloads


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jobs", type=int)
    parser.add_argument("--transcript", choices=["on", "off"], default="off")
    parser.add_argument("--method", choices=["tracemalloc", "rss"], default="tracemalloc")
    opts = parser.parse_args(argv)
    record = opts.transcript == "on"
    sim = workloads.new_sim(record=record)
    workloads.fill_batch(sim, 10)  # warm every lazy structure before the baseline
    gc.collect()
    if opts.method == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = rss_bytes()
    workloads.fill_batch(sim, opts.jobs)
    gc.collect()
    if opts.method == "tracemalloc":
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    else:
        after = rss_bytes()
    used = after - before
    print(
        json.dumps(
            {
                "jobs": opts.jobs,
                "transcript": opts.transcript,
                "method": opts.method,
                "bytes": used,
                "bytes_per_job": used / opts.jobs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
