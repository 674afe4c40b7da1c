"""Timing every page-script run inside a real streamlit server, for the load benches: a `sitecustomize`
module put on the server's PYTHONPATH, and the log of runs it writes.

    runs, env = timed_runs(scratch)              # scratch: a temporary folder of this bench run
    with AppServer(APP, models, env=env) as server:
        ...
        runs.new_runs()                          # [(session id, seconds, fragment run), …] since last
"""

from __future__ import annotations

import os
from pathlib import Path

# Appends "<session id> <seconds> <1 if a fragment run else 0>" per script run to $RNNVIZ_BENCH_RUNS.
# It wraps streamlit.runtime.scriptrunner's ScriptRunner._run_script: there is no public way to time
# the server's own script runs (AppTest runs the script in the test's process, not in a server).
SITECUSTOMIZE = """
import os, time
if os.environ.get("RNNVIZ_BENCH_RUNS"):
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    _run_script = ScriptRunner._run_script

    def _timed(self, rerun_data):
        start = time.perf_counter()
        try:
            return _run_script(self, rerun_data)
        finally:
            seconds = time.perf_counter() - start
            fragment = int(bool(rerun_data.fragment_id_queue))
            with open(os.environ["RNNVIZ_BENCH_RUNS"], "a") as log:
                log.write(f"{self._session_id} {seconds:.4f} {fragment}\\n")

    ScriptRunner._run_script = _timed
"""


class RunLog:
    """The server's script runs, read as they are appended."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def new_runs(self) -> list[tuple[str, float, bool]]:
        """(session id, seconds, fragment run) of the runs logged since the last call."""
        with open(self.path) as log:
            log.seek(self.offset)
            text = log.read()
            self.offset = log.tell()
        return [(s, float(t), f == "1") for s, t, f in (line.split() for line in text.splitlines())]


def timed_runs(scratch: Path) -> tuple[RunLog, dict[str, str]]:
    """Write the sitecustomize module and an empty run log into `scratch`; returns the log and
    the environment variables that make a server started with them time its runs."""
    (scratch / "sitecustomize.py").write_text(SITECUSTOMIZE)
    runs = RunLog(scratch / "runs.log")
    runs.path.touch()
    python_path = os.pathsep.join(filter(None, [str(scratch), os.environ.get("PYTHONPATH")]))
    return runs, {"PYTHONPATH": python_path, "RNNVIZ_BENCH_RUNS": str(runs.path)}
