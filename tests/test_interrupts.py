"""Killed, repeated and simultaneous runs; a run with the network blocked. Each test is a run in
another process and one here: the default run kills one while it segments; the other kills, two
runs at once and the offline run are slow tests."""

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest

from topics.cli import main

from .conftest import EXPERIMENTS, SEEDS

FAST = ["sweep.k=[]", "compare.engines=[]", "stability.seeds=1", "uncertainty.resamples=50"]
RUNNER = r'''
import os, signal, sys, time
sys.setrecursionlimit(10000)
from topics import pipeline
from topics.record import provenance
from topics import load_experiment
from topics.text import segmenters
how, out = sys.argv[1], sys.argv[2]
config = load_experiment(sys.argv[3], [f"corpus.path={sys.argv[4]}", *sys.argv[5:]])
kill = lambda: os.kill(os.getpid(), signal.SIGKILL)
if how == "segment":                      # killed while cutting, after some chunks of texts
    from topics.text import cutting
    cutting.CHUNK_CHARS, real_cut, calls = 3000, segmenters.JiebaSegmenter.cut, [0]
    def cut(self, text):                  # one call per chunk of about 3000 characters
        calls[0] += 1
        if calls[0] == 4:
            kill()
        return real_cut(self, text)
    segmenters.JiebaSegmenter.cut = cut
if how == "cache":                        # killed while the segmentation cache is being written
    import numpy as np
    def savez(f, **arrays):
        f.write(b"PK\x03\x04 half a cache")
        f.flush()
        kill()
    np.savez = savez
if how == "write":                        # killed while the run folder is being written
    real_csv, calls = provenance.write_csv, [0]
    def write_csv(*a, **k):
        calls[0] += 1
        if calls[0] == 4:
            kill()
        return real_csv(*a, **k)
    provenance.write_csv = write_csv
if how == "fit":                          # killed in the middle of the LDA fit, after its first start
    from topics.models import engines
    real_best = engines.best_of
    def best_of(starts):
        def first_then_kill():
            for i, start in enumerate(starts):
                if i == 1:
                    kill()
                yield start
        return real_best(first_then_kill())
    engines.best_of = best_of
def progress(stage, seconds):
    if how == "hold" and stage == "fit model" and seconds is None:
        print("holding", flush=True)
        time.sleep(3)
pipeline.run(config, out_dir=out, progress=progress)
print("done", flush=True)
'''


def runner(how, out, *extra, wait=True):
    args = [sys.executable, "-c", RUNNER, how, str(out), str(EXPERIMENTS / "baseline.toml"), str(SEEDS), *FAST, *extra]
    if not wait:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def looks_complete(out):
    return [p.name for p in out.iterdir() if not p.name.startswith(".") and (p / "manifest.json").exists()]


@pytest.mark.parametrize("how", [pytest.param(h, marks=pytest.mark.slow) for h in ("segment", "cache", "fit", "write")])
def test_a_killed_run_leaves_nothing_that_looks_complete_and_the_next_run_succeeds(tmp_path, capsys, how):
    out = tmp_path / "out"
    done = runner(how, out)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert looks_complete(out) == [] and not (out / "baseline").exists()
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(out),
                "--quiet",
                *[a for kv in FAST for a in ("--set", kv)],
            ]
        )
        == 0
    ), capsys.readouterr().err
    assert looks_complete(out) == ["baseline"]
    assert not list(out.glob(".baseline~staging-*"))  # the killed run's staging removed
    manifest = json.loads((out / "baseline" / "manifest.json").read_text(encoding="utf-8"))
    if how == "cache":  # the killed writer's temporary file, once stale, is removed
        import os

        (stale,) = (out / ".cache").glob(".segment-*.tmp.npz")
        os.utime(stale, (time.time() - 7200, time.time() - 7200))
        shutil.rmtree(out / "baseline")
        assert (
            main(
                [
                    "run",
                    str(EXPERIMENTS / "baseline.toml"),
                    "--out",
                    str(out),
                    "--quiet",
                    "--set",
                    "segment.drop_latin=true",
                    *[a for kv in FAST for a in ("--set", kv)],
                ]
            )
            == 0
        )
        assert not stale.exists()
    if how in ("fit", "write"):  # the cache was complete: used
        assert manifest["segment"]["cache_hits"] == manifest["segment"]["units"]
    else:  # none, or half-written: rebuilt
        assert manifest["segment"]["cache_hits"] == 0


@pytest.mark.slow
def test_two_runs_at_once_do_not_race(tmp_path, capsys):
    out = tmp_path / "out"
    first = runner("hold", out, wait=False)
    assert first.stdout.readline().strip() == "holding"
    got = main(
        [
            "run",
            str(EXPERIMENTS / "baseline.toml"),
            "--out",
            str(out),
            "--quiet",
            *[a for kv in FAST for a in ("--set", kv)],
        ]
    )
    err = capsys.readouterr().err
    assert got == 6 and "another run of experiment 'baseline'" in err and str(first.pid) in err
    assert first.wait(timeout=120) == 0
    assert looks_complete(out) == ["baseline"]


@pytest.mark.slow
def test_a_run_with_the_network_blocked(tmp_path):
    prelude = (
        "import socket\n"
        "def blocked(*a, **k):\n    raise OSError('network blocked by the test')\n"
        "socket.socket.connect = blocked\nsocket.socket.connect_ex = blocked\n"
        "socket.create_connection = blocked\nsocket.getaddrinfo = blocked\n"
        "import sys\nfrom topics.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            prelude,
            "run",
            str(EXPERIMENTS / "baseline.toml"),
            "--out",
            str(tmp_path),
            "--quiet",
            "--set",
            "sweep.k=[4,6]",
            "--set",
            "compare.engines=[\"nmf\"]",
            "--set",
            "stability.seeds=2",
            "--set",
            "uncertainty.resamples=100",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "baseline" / "dashboard.html").is_file()


HOLD_IN_WORKERS = '''
import os, sys, time
from topics import load_experiment, pipeline
from topics.models import tasks
real_fit = tasks.fit_counts
def slow_fit(*a, **k):                    # runs in the pool's workers: long enough to be killed there
    print(f"worker {os.getpid()} fitting", flush=True)
    time.sleep(60)
    return real_fit(*a, **k)
tasks.fit_counts = slow_fit
out = sys.argv[1]
config = load_experiment(sys.argv[2], [f"corpus.path={sys.argv[3]}", *sys.argv[4:]])
pipeline.run(config, out_dir=out)
'''


def start_holding_in_workers(out):
    """A run whose fit pool (2 processes, 3 seeds) is busy: (process, pids of its pool's workers).
    Waits until a worker is fitting; the other may still be waiting for its task."""
    import psutil

    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_IN_WORKERS,
            str(out),
            str(EXPERIMENTS / "baseline.toml"),
            str(SEEDS),
            *FAST,
            "stability.seeds=3",
            "parallel.workers=2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if not line.startswith("worker "):  # the run ended before its fit workers started: say why
        proc.kill()
        proc.wait(timeout=30)
        pytest.fail(
            f"the run ended (exit {proc.returncode}) before its fit workers started ({line!r}):\n"
            f"{proc.stderr.read()[-3000:]}"
        )
    workers = {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
    assert int(line.split()[1]) in workers and len(workers) >= 2, workers
    return proc, workers


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


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["TERM", "HUP", "KILL"])
def test_workers_end_with_a_killed_run_and_the_next_run_goes_ahead(tmp_path, capsys, sig):
    out = tmp_path / "out"
    proc, workers = start_holding_in_workers(out)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    deadline = time.time() + 10
    while alive(workers) and time.time() < deadline:
        time.sleep(0.1)
    assert alive(workers) == [], f"fit workers {alive(workers)} outlived the run killed by {sig.name}"
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(out),
                "--quiet",
                *[a for kv in FAST for a in ("--set", kv)],
            ]
        )
        == 0
    ), capsys.readouterr().err
    assert looks_complete(out) == ["baseline"] and not list(out.glob(".baseline~*"))


@pytest.mark.slow
def test_removing_the_cache_does_not_bypass_the_lock(tmp_path, capsys):
    out = tmp_path / "out"
    proc, workers = start_holding_in_workers(out)
    try:
        shutil.rmtree(out / ".cache")
        got = main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(out),
                "--quiet",
                "--force",
                *[a for kv in FAST for a in ("--set", kv)],
            ]
        )
        assert got == 6 and str(proc.pid) in capsys.readouterr().err
        assert not (out / "baseline").exists()
    finally:
        proc.kill()
        proc.wait(timeout=30)
