#!/usr/bin/env python
"""One hand-over from the bot's event loop to a lane's thread and back (bot/runtime/orm.py).

A no-op call handed to `orm.Lane` and to a one-thread ThreadPoolExecutor
(`loop.run_in_executor`) in turns, on the bot's event loop (uvloop where installed): CPU
and wall microseconds per hop, and the ratios. No database: this is what a lane adds to
each of an update's database calls.

    .venv/bin/python bench/hop.py
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

import django

django.setup()

from _common import record  # noqa: E402

from calendarapp.bot.runtime import eventloop, orm  # noqa: E402


def nothing() -> None:
    return None


async def per_hop(hop, calls: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await hop(nothing)
    return (
        (time.process_time() - cpu) / calls * 1e6,
        (time.perf_counter() - wall) / calls * 1e6,
    )


async def main(rounds: int, calls: int) -> None:
    lane = orm.Lane("bench-lane")
    executor = ThreadPoolExecutor(1)
    loop = asyncio.get_running_loop()

    def executor_hop(call):
        return loop.run_in_executor(executor, call)

    cpu_ratios, wall_ratios = [], []
    print(
        f"{'round':>5}  {'executor CPU / wall us':>22}  {'lane CPU / wall us':>18}  lane/executor"
    )
    for n in range(1, rounds + 1):
        a = await per_hop(executor_hop, calls)
        b = await per_hop(lane.submit, calls)
        cpu_ratios.append(b[0] / a[0])
        wall_ratios.append(b[1] / a[1])
        print(
            f"{n:>5}  {a[0]:>10.1f} / {a[1]:>9.1f}  {b[0]:>8.1f} / {b[1]:>7.1f}"
            f"  CPU {cpu_ratios[-1]:.2f}x, wall {wall_ratios[-1]:.2f}x",
            flush=True,
        )
    cpu, wall = statistics.median(cpu_ratios), statistics.median(wall_ratios)
    print(f"median of the rounds' ratios: CPU {cpu:.2f}x, wall {wall:.2f}x")
    record("hop", "lane / executor CPU per hop", f"{cpu:.2f}", "x")
    record("hop", "lane / executor time per hop", f"{wall:.2f}", "x")
    lane.close()
    executor.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=eventloop.new_loop) as runner:
        runner.run(main(args.rounds, args.calls))
