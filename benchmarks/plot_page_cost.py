"""Plot the cost of a page of 100 (``list_job_batch_jobs``) against the batch size.

    .venv/bin/pip install matplotlib   # for this script only; not a jobsim dependency
    .venv/bin/python benchmarks/plot_page_cost.py            # 1k .. 1M jobs
    .venv/bin/python benchmarks/plot_page_cost.py --max 100000

One simulator grows a single batch to each size in turn (1k, 3k, 10k, ... 1M); at
each size the page after each of 64 cursors spread over the batch is fetched
again and again (the same method as ``test_pages.py``), with the transcript on
and off, and the median of each is plotted. Writes ``benchmarks/page_cost.png``
and prints the figures as a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import workloads

from jobsim import Simulator

SIZES = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
REPEATS = 15  # passes over the 64 cursors, per size and transcript setting
OUT = Path(__file__).with_name("page_cost.png")


def median_page(sim: Simulator, ids: list[str], record: bool) -> float:
    """Median seconds of one page call over REPEATS passes of the 64 cursors."""
    sim.record = record
    calls = [workloads.page_args(c) for c in workloads.cursors(ids)]
    call = sim.call
    for args in calls:  # warm-up
        call("list_job_batch_jobs", args)
    times = []
    for _ in range(REPEATS):
        for args in calls:
            t0 = time.perf_counter()
            call("list_job_batch_jobs", args)
            times.append(time.perf_counter() - t0)
    sim.record = False
    sim._transcript.clear()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest batch (jobs)")
    parser.add_argument("--out", type=Path, default=OUT)
    opts = parser.parse_args(argv)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is needed for the plot: .venv/bin/pip install matplotlib")
        return 2

    sizes = [n for n in SIZES if n <= opts.max]
    sim = workloads.new_sim(record=False)
    ids: list[str] = []
    on: list[float] = []
    off: list[float] = []
    print("| jobs in the batch | page of 100, transcript on | transcript off |")
    print("|---:|---:|---:|")
    for n in sizes:
        ids += workloads.fill_batch(sim, n - len(ids))
        on.append(median_page(sim, ids, record=True))
        off.append(median_page(sim, ids, record=False))
        print(f"| {n:,} | {on[-1] * 1e6:.0f} us | {off[-1] * 1e6:.0f} us |", flush=True)

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    ax.plot(sizes, [t * 1e6 for t in on], "o-", label="transcript on (default)")
    ax.plot(sizes, [t * 1e6 for t in off], "s-", label="transcript off (record=False)")
    ax.axhline(300, color="tab:red", linestyle="--", linewidth=1, label="target: 300 us")
    ax.axhline(
        on[0] * 1.5e6, color="tab:gray", linestyle=":", linewidth=1, label="1.5 x cost at 1k"
    )
    ax.set_xscale("log")
    ax.set_ylim(0, max(330.0, on[0] * 1.6e6, max(on) * 1.1e6))
    ax.set_xlabel("jobs in the batch (log scale)")
    ax.set_ylabel("median time of one page call (us)")
    ax.set_title("list_job_batch_jobs, page of 100, cursor anywhere in the batch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(opts.out)
    print(f"wrote {opts.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
