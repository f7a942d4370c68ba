"""The kill matrix of issue 15: TERM, HUP and KILL sent to a real ``topics`` run while it segments
(forked cutting processes), fits (the fit pool), sweeps (the sweep's pool) and writes the run folder.
After each, no process the run started is left (psutil), and the next run of the same experiment
succeeds (the lock beside the run folder is free, the killed run's staging folder is cleared).

Each stage is caught by the runner script below, in the run's own process: it wraps the function the
stage calls so that it prints ``holding <stage> <pid>`` and sleeps, in every process that reaches
it (the forked cutting children and the pool's workers too). Nothing in the package is changed for
it. One case (TERM while segmenting) is in the default suite; the others are slow tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from topics.cli import main

from .conftest import EXPERIMENTS, SEEDS

FAST = ["sweep.k=[]", "compare.engines=[]", "stability.seeds=1", "uncertainty.resamples=50"]
SWEEP_K = "2,3"
HOLDER = r'''
import os, sys, time
from topics import load_experiment, pipeline
stage, out = sys.argv[1], sys.argv[2]
config = load_experiment(sys.argv[3], [f"corpus.path={sys.argv[4]}", *sys.argv[5:]])
def hold(real):
    def held(*a, **k):
        os.write(1, f"holding {stage} {os.getpid()}\n".encode())  # one write: lines of two processes never mix
        time.sleep(120)
        return real(*a, **k)
    return held
if stage == "segment":                    # the parent and its forked cutting child both hold
    from topics.text import cutting, segment
    segment.PARALLEL_CHARS = {"jieba": 0, "rjieba": 0}
    cutting.cut_share = hold(cutting.cut_share)
elif stage in ("fit", "sweep"):           # in the pool's worker processes
    from topics.models import tasks
    tasks.fit_counts = hold(tasks.fit_counts)
elif stage == "write":                    # the first table of the run folder, in the run's process
    from topics.record import provenance
    provenance.write_csv = hold(provenance.write_csv)
if stage == "sweep":
    pipeline.run_sweep(config, [int(k) for k in os.environ["SWEEP_K"].split(",")], out_dir=out)
else:
    pipeline.run(config, out_dir=out)
print("done", flush=True)
'''
SETTINGS = {  # stage -> settings of the held run (processes to kill: 2 workers wherever there can be)
    "segment": [*FAST, "parallel.workers=2"],
    "fit": [*FAST, "stability.seeds=3", "parallel.workers=2"],
    "sweep": [*FAST, "sweep.seeds=2", "parallel.workers=2"],
    "write": FAST,
}
EXPECTED_HOLDERS = {"segment": 2, "fit": 1, "sweep": 1, "write": 1}  # 'holding' lines before the signal


def start_held(stage: str, out):
    """The run held at ``stage``: (process, pids of every process it started)."""
    import os

    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, stage, str(out), str(EXPERIMENTS / "baseline.toml"), str(SEEDS)]
        + SETTINGS[stage],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SWEEP_K": SWEEP_K},
    )
    lines = []
    for _ in range(EXPECTED_HOLDERS[stage]):
        line = proc.stdout.readline()
        if not line.startswith(f"holding {stage} "):
            proc.kill()
            proc.wait(timeout=30)
            pytest.fail(
                f"the run ended (exit {proc.returncode}) before {stage} ({line!r}):\n{proc.stderr.read()[-3000:]}"
            )
        lines.append(line)
    time.sleep(0.5)  # let the other workers start
    started = {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
    holders = {int(line.split()[2]) for line in lines}
    assert holders <= started | {proc.pid}, (holders, started)
    if stage != "write":
        assert started, f"no process was started by the run at {stage}"
    return proc, started


def alive(pids) -> list[int]:
    import psutil

    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def next_run(stage: str, out) -> list[str]:
    if stage == "sweep":
        return ["sweep", str(EXPERIMENTS / "baseline.toml"), "--out", str(out), "--k", SWEEP_K, "--seeds", "1"] + [
            a for kv in FAST for a in ("--set", kv)
        ]
    return ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(out), "--quiet"] + [
        a for kv in FAST for a in ("--set", kv)
    ]


SIGNALS = {"TERM": signal.SIGTERM, "HUP": signal.SIGHUP, "KILL": signal.SIGKILL}
CASES = [
    pytest.param(stage, sig, id=f"{sig}-{stage}", marks=() if (stage, sig) == ("segment", "TERM") else pytest.mark.slow)
    for stage in ("segment", "fit", "sweep", "write")
    for sig in SIGNALS
]


@pytest.mark.parametrize("stage, sig", CASES)
def test_a_signal_at_any_stage_leaves_no_process_and_the_next_run_succeeds(tmp_path, capsys, stage, sig):
    out = tmp_path / "out"
    proc, started = start_held(stage, out)
    proc.send_signal(SIGNALS[sig])
    assert proc.wait(timeout=60) != 0
    deadline = time.time() + 10
    while alive(started) and time.time() < deadline:
        time.sleep(0.1)
    assert alive(started) == [], f"processes {alive(started)} outlived the run killed by SIG{sig} at {stage}"
    name = "baseline-sweep" if stage == "sweep" else "baseline"
    assert not (out / name).exists()  # nothing that looks complete
    if (stage, sig) == ("segment", "TERM"):  # the default suite's case: the lock is free (no second run)
        from topics.record import staging

        with staging.run_lock(out, name):
            pass
        return
    assert main(next_run(stage, out)) == 0, capsys.readouterr().err
    assert (out / name / "manifest.json").is_file()
    assert not list(out.glob(f".{name}~*")), list(out.iterdir())  # the killed run's staging cleared


def test_clearing_stale_staging_never_touches_another_experiments_folders(tmp_path):
    """Issue 15, failure 3: `.{name}.staging-*` of experiment `a` also matched a live run named
    `a.staging-x`. Names cannot hold '~' (config check), so `.a~staging-*` is only ever a's."""
    from topics.config.checks import Bad, name
    from topics.record import staging

    with pytest.raises(Bad):
        name("a~staging-x")
    others = [tmp_path / ".a.staging-x~staging-live", tmp_path / ".a.b~old-live", tmp_path / "a.staging-x"]
    mine = [tmp_path / ".a~staging-dead", tmp_path / ".a~old-dead"]
    for folder in (*others, *mine):
        folder.mkdir()
    with staging.run_lock(tmp_path, "a"):
        pass
    assert all(f.is_dir() for f in others) and not any(f.exists() for f in mine)
