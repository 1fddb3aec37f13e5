"""Processes as Linux's /proc shows them, for the benchmarks and the multi-process tests."""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _fields(stat: str) -> list[str]:
    # The command name (field 2) may hold spaces; the fields after its ")" are plain.
    return stat.rsplit(")", 1)[1].split()


def _cpu(fields: list[str]) -> float:
    """user + sys CPU seconds (fields 14 and 15 of a stat line)."""
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_cpu(pid: int) -> float:
    """user + sys CPU seconds of a process so far."""
    return _cpu(_fields(Path(f"/proc/{pid}/stat").read_text()))


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its direct children (`runbot --workers N`: the front
    and its workers), those that ended meanwhile left out."""
    total = process_cpu(pid)
    for child in child_pids(pid):
        try:
            total += process_cpu(child)
        except OSError:  # a worker that just exited
            continue
    return total


def thread_cpu(pid: int) -> dict[str, float]:
    """user + sys CPU seconds so far of each of the process's threads, by thread name (the
    process's own thread is "main")."""
    usage: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = "main" if task.name == str(pid) else (task / "comm").read_text().strip()
            fields = _fields((task / "stat").read_text())
        except OSError:  # ended meanwhile
            continue
        usage[name] = usage.get(name, 0.0) + _cpu(fields)
    return usage


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (the workers of `runbot --workers N`), lowest first."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        if int(_fields(stat)[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def accept_queue(port: int) -> int | None:
    """Connections waiting for accept() on a TCP listener of 127.0.0.1:`port` (for a LISTEN
    socket, /proc/net/tcp's rx_queue is its backlog); None when nothing listens there."""
    local = f"0100007F:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[3] == "0A":  # 0A: LISTEN
            return int(fields[4].split(":")[1], 16)
    return None
