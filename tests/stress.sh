#!/usr/bin/env bash
# Run a command (default: the test suite) while CPU burners keep the cores busy, as on a
# loaded CI machine: `make test-stress`, or `bash tests/stress.sh .venv/bin/python -m pytest
# tests/e2e/test_runbot.py`. STRESS_BURNERS sets how many (default 2). The burners, and the
# command, are stopped however the run ends: its end, Ctrl-C, or a SIGTERM (`timeout`).
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- .venv/bin/python -m pytest

burners=()
command_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$command_pid" ]; then kill -TERM "$command_pid" 2>/dev/null; fi
  if [ ${#burners[@]} -gt 0 ]; then kill -TERM "${burners[@]}" 2>/dev/null; fi
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq "${STRESS_BURNERS:-2}"); do
  (while :; do :; done) &
  burners+=($!)
done
echo "stress: ${#burners[@]} CPU burners (pids ${burners[*]}) while: $*" >&2
started=$SECONDS
# In the background, so that a signal reaches the traps at once rather than after the command.
"$@" &
command_pid=$!
wait "$command_pid"
status=$?
command_pid=""
echo "stress: exit status $status after $((SECONDS - started)) s under load" >&2
exit "$status"
