"""What live frames carry besides the boundary, and what the Playground makes of them.

1. Frames (in-process, a worker's ``TrainRun``): bytes per frame at grid 40 with the boundary
   alone and with each addition (``live.nodes`` at the Playground's 20, ``live.edges``,
   ``live.hidden``), and the worker's CPU for each addition, for a 2-8-8-3 ReLU network on the
   spiral and the case study's 2-100-3.
2. The browser (``--browser``; Debian's Chromium through Playwright, against a real server): the
   Playground playing a 2-8-8-3 network at full speed, the updates per second of every live chart
   (their ``data-updates`` over ``--seconds``), with the frames' additions and without them (the
   job's ``live`` stripped to the boundary), to see what they cost the boundary.

    python benchmarks/bench_live.py [--browser] [--seconds 10] [--rounds 2] [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from server import start_server  # benchmarks/server.py, beside this script
from threadpoolctl import threadpool_limits

from app.nn import LayerSpec, NetworkSpec
from app.services.specs import Limits, resolve_data_spec
from app.services.worker import DataCache, TrainRun
from app.settings import Settings

LIMITS = Limits.from_settings(Settings())

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORKS = {
    "2-8-8-3": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
    "2-100-3": [{"units": 100, "activation": "relu"}],
}
BASE = {"grid": 40, "interval_ms": 50, "steps_per_second": None, "ramp": False, "nodes": None, "edges": False,
        "hidden": None}
ADDITIONS = {"nodes (grid 20)": {"nodes": 20}, "edges": {"edges": True}, "hidden (layer 1)": {"hidden": {"layer": 1}}}
CHARTS = ("boundary", "neurons", "topology", "hidden-space", "training", "dead-units", "update-ratio")


def _run(hidden: list[dict], live: dict) -> TrainRun:
    """A worker's training job on the spiral, trained for a while (weights that are not the first)."""
    spec = NetworkSpec(2, tuple(LayerSpec(**layer) for layer in hidden), 3, init="he")
    task = {"network": {"spec": spec.to_dict(), "seed": 0}, "data": resolve_data_spec(DATA, LIMITS, None),
            "upload": None, "live": live, "checkpoint_seconds": 1e9,
            "training": {"optimizer": "adam", "learning_rate": 0.01, "steps": 100_000, "history_every": 100}}
    run = TrainRun("bench", task, lambda *message: None, DataCache())
    run.slice(0.0)  # the first step
    run.slice(0.5)
    return run


def frames(repeat: int) -> None:
    threadpool_limits(1)  # as in a worker process (app/services/executor.py)
    print(f"{'network':8} {'frame':26} {'bytes':>7} {'worker CPU':>11}")
    for name, hidden in NETWORKS.items():
        run = _run(hidden, BASE)
        base = _frame_bytes(run, {})
        cpu = _cpu(run.frame, repeat)
        print(f"{name:8} {'boundary + overlay':26} {base:7,} {cpu * 1000:8.2f} ms")
        everything = {}
        for label, option in ADDITIONS.items():
            everything |= option
            run.live = BASE | option
            extra = _cpu(run.extras, repeat)
            print(f"{name:8} {'+ ' + label:26} {_frame_bytes(run, run.extras()) - base:+7,} {extra * 1000:+8.2f} ms")
        run.live = BASE | everything
        print(f"{name:8} {'all (7 frames a second)':26} {_frame_bytes(run, run.extras()):7,} "
              f"{_cpu(run.extras, repeat) * 1000:+8.2f} ms")


def _frame_bytes(run: TrainRun, extras: dict) -> int:
    """A frame's JSON text with ``extras`` in it (what the worker sends when they are due)."""
    frame = json.loads(run.frame()["json"])
    frame.pop("nodes", None)
    frame.pop("edges", None)
    frame.pop("hidden", None)
    return len(json.dumps(frame | extras, separators=(",", ":")))


def _cpu(call, repeat: int) -> float:
    began = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - began) / repeat


def browser(seconds: float, rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data_dir, sync_playwright() as playwright:
        server, base = start_server(data_dir)
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox", "--disable-gpu"])
        try:
            for additions in (False, True) * rounds:  # taking turns: the machine's load changes
                page = chromium.new_page(base_url=base, viewport={"width": 1280, "height": 900})
                if not additions:
                    page.add_init_script(BOUNDARY_ONLY)
                rates = _play(page, seconds)
                label = "with the additions" if additions else "boundary only"
                print(f"{label:20} " + ", ".join(f"{chart} {rate:.1f}/s" for chart, rate in rates.items()), flush=True)
                page.close()
        finally:
            chromium.close()
            server.terminate()
            server.wait(timeout=30)


# The job's live options stripped to the boundary, in the page itself: a Playwright route would put
# every request of the page, its event stream too, through the driver.
BOUNDARY_ONLY = """(() => {
    const fetch = window.fetch;
    window.fetch = (url, options = {}) => {
        if (String(url).endsWith("/api/jobs") && options.method === "POST") {
            const body = JSON.parse(options.body);
            for (const key of ["nodes", "edges", "hidden"]) delete body.live[key];
            options = { ...options, body: JSON.stringify(body) };
        }
        return fetch(url, options);
    };
})()"""


def _play(page, seconds: float) -> dict[str, float]:
    page.goto("/?ds=spiral&layers=8-relu,8-relu&opt=adam&lr=0.01&speed=0")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#hidden-space[data-drawn=true]", timeout=120_000)
    page.get_by_test_id("play").click()
    page.wait_for_selector("#boundary[data-updates]", timeout=120_000)
    time.sleep(3)  # past the first frames and the first stored history
    first, began = _counts(page), time.monotonic()
    time.sleep(seconds)
    last, elapsed = _counts(page), time.monotonic() - began
    page.get_by_test_id("pause").click(timeout=120_000)
    return {chart: (last[chart] - first[chart]) / elapsed for chart in CHARTS}


def _counts(page) -> dict[str, int]:
    return page.evaluate("(ids) => Object.fromEntries(ids.map((id) => "
                         "[id, Number(document.getElementById(id).dataset.updates || 0)]))", list(CHARTS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also the Playground's update rates in Chromium")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=200, help="frames per CPU figure")
    parser.add_argument("--rounds", type=int, default=2, help="browser runs of each kind")
    args = parser.parse_args()
    frames(args.repeat)
    if args.browser:
        browser(args.seconds, args.rounds)


if __name__ == "__main__":
    main()
