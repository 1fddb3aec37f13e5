"""The bot process's heap after start-up, out of the cyclic collector's way.

What start-up builds (modules, settings, translations, the handlers) lives as long as the
process, yet each full collection walks all of it again. Frozen once start-up is done
(`gc.freeze`), a full collection walks only what came later. Measured in same-run pairs
(docs/benchmarks.md, evening of 2026-12-03): on the mixed workload one process answered
1.20-1.22x the updates/s at 0.83-0.84x the CPU per update; on bench/rsvp.py (5,000 people
pressing at 200/s) the slowest answer fell from 102-155 to 63-103 ms in four pairs, and the
longest collection from 86-101 to 75-84 ms in two of them.
"""

import gc


def freeze_start_up() -> None:
    """Collect what start-up left over, then move the rest to the permanent generation."""
    gc.collect()
    gc.freeze()
