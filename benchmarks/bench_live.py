"""What live frames carry besides the boundary, and what the Playground makes of them.

1. Frames (in-process, a worker's ``TrainRun``): bytes per frame at grid 40 with the boundary
   alone and with each addition (``live.nodes`` at the Playground's 16, ``live.edges``,
   ``live.hidden``), and the worker's CPU for each addition, for a 2-8-8-3 ReLU network on the
   spiral and the case study's 2-100-3.
2. The browser (``--browser``; Debian's Chromium through Playwright, against a real server of the
   checkout ``--root``, this one by default): the Playground at 1440 x 900 playing a 2-8-8-3
   network at full speed for ``--seconds``, counted in the page once per animation frame: the
   frames in which the boundary changed and those in which each neuron's map changed (per second),
   and the time from a frame leaving the worker (its ``made``) to its pixels (p50, p95).

    python benchmarks/bench_live.py [--browser] [--seconds 10] [--rounds 2] [--repeat 200] [--root ../main]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from server import ROOT, start_server  # benchmarks/server.py, beside this script
from threadpoolctl import threadpool_limits

from app.nn import LayerSpec, NetworkSpec
from app.services.data_specs import resolve_data_spec
from app.services.specs import Limits
from app.services.worker import DataCache, TrainRun
from app.settings import Settings

LIMITS = Limits.from_settings(Settings())

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORKS = {
    "2-8-8-3": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
    "2-100-3": [{"units": 100, "activation": "relu"}],
}
BASE = {"grid": 40, "interval_ms": 33, "steps_per_second": None, "ramp": False, "nodes": None, "edges": False,
        "hidden": None}
ADDITIONS = {"nodes (grid 16)": {"nodes": 16}, "edges": {"edges": True}, "hidden (layer 1)": {"hidden": {"layer": 1}}}


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
        print(f"{name:8} {'all':26} {_frame_bytes(run, run.extras()):7,} "
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


def browser(seconds: float, rounds: int, root: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data_dir, sync_playwright() as playwright:
        server, base = start_server(data_dir, root=root)
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            print(f"Playground at 1440 x 900, playing the 2-8-8-3 network on the spiral ({root}):")
            for _ in range(rounds):
                page = chromium.new_page(base_url=base, viewport={"width": 1440, "height": 900})
                page.add_init_script(COUNTER)
                result = _play(page, seconds)
                maps = sorted(result["maps"])
                print(f"  frames received {result['received']:.1f}/s; frames with a new picture: boundary "
                      f"{result['boundary']:.1f}/s, each hidden and output neuron's map {maps[0]:.1f}–{maps[-1]:.1f}/s "
                      f"(median {maps[len(maps) // 2]:.1f}, {len(maps)} maps); frame made -> painted: "
                      f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms ({result['latency']})", flush=True)
                page.close()
        finally:
            chromium.close()
            server.terminate()
            server.wait(timeout=30)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]

# Counted in the page, once per animation frame (requestAnimationFrame): a frame in which the
# boundary's live updates (data-updates) moved on, and per neuron, a frame in which its map changed
# (the diagram's data-map-changes, one count per node; a page without them: the href of each map's
# layout image). The latency of a painted frame is the time since the worker made it (its `made`;
# the same machine's clock): the page's data-made where it states which frame it painted, else the
# newest frame the event stream brought (an earlier page, which painted whatever came last).
COUNTER = """(() => {
    const state = { counting: false, boundary: 0, maps: [], latencies: [], newest: null, last: null, received: 0 };
    window.__live = state;
    const Source = window.EventSource;
    window.EventSource = function (...args) {
        const source = new Source(...args);
        source.addEventListener("progress", (event) => {
            state.newest = JSON.parse(event.data).made;
            if (state.counting) state.received += 1;
        });
        return source;
    };
    window.EventSource.prototype = Source.prototype;
    const mapSignature = () => {
        const plot = document.getElementById("topology");
        if (plot.dataset.mapChanges !== undefined) return plot.dataset.mapChanges.split(",");
        return Array.from(plot.querySelectorAll(".layer-above image"), (image) => image.getAttribute("href"));
    };
    const tick = () => {
        const boundary = document.getElementById("boundary");
        const now = { updates: boundary.dataset.updates, maps: mapSignature() };
        if (state.counting && state.last) {
            if (now.updates !== state.last.updates) {
                state.boundary += 1;
                const made = Number(boundary.dataset.made || state.newest);
                if (made) state.latencies.push(Date.now() - 1000 * made);
            }
            now.maps.forEach((value, k) => {
                if (value !== state.last.maps[k]) state.maps[k] = (state.maps[k] || 0) + 1;
            });
        }
        state.last = now;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})()"""


def _play(page, seconds: float) -> dict:
    page.goto("/?ds=spiral&layers=8-relu,8-relu&opt=adam&lr=0.01&speed=0")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#topology[data-drawn=true]", timeout=120_000)
    page.get_by_test_id("play").click()
    page.wait_for_selector("#boundary[data-updates]", timeout=120_000)
    time.sleep(3)  # past the first frames and the first stored history
    page.evaluate("() => { Object.assign(window.__live, "
                  "{ counting: true, boundary: 0, maps: [], latencies: [], received: 0 }); }")
    began = time.monotonic()
    time.sleep(seconds)
    state = page.evaluate("() => ({ ...window.__live, counting: false, "
                          "explicit: Boolean(document.getElementById('boundary').dataset.made) })")
    elapsed = time.monotonic() - began
    page.get_by_test_id("pause").click(timeout=120_000)
    latencies = sorted(state["latencies"]) or [float("nan")]
    # The maps in the diagram's order, the input features' first: theirs never change.
    inputs = page.locator("#features [aria-pressed=true]").count()
    nodes = page.evaluate("() => document.querySelectorAll('#topology .layer-above image').length")
    counts = (state["maps"] + [0] * max(0, nodes - len(state["maps"])))[inputs:]
    return {"received": state["received"] / elapsed, "boundary": state["boundary"] / elapsed,
            "maps": [(count or 0) / elapsed for count in counts],
            "p50": latencies[len(latencies) // 2], "p95": latencies[int(0.95 * (len(latencies) - 1))],
            "latency": "of the frame painted" if state["explicit"] else "of the newest frame received"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also the Playground's update rates in Chromium")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=200, help="frames per CPU figure")
    parser.add_argument("--rounds", type=int, default=2, help="browser runs")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose server the browser measures")
    args = parser.parse_args()
    frames(args.repeat)
    if args.browser:
        browser(args.seconds, args.rounds, args.root)


if __name__ == "__main__":
    main()
