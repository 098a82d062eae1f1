// Two sides played in step (Compare), as one object that owns the pairing's state:
// - the jobs: a side whose job has finished asks for its next only once the other side's job has
//   finished too, or the other side stopped (`turn`), so they are never more than one job apart;
// - the screen: frames are paired by step. Each side's frames wait in a queue; a frame is shown once
//   the other side has sent a frame of the same step or a later one, so the side ahead is held at
//   the step the slower side has reached (the two show steps at most one frame's steps apart);
// - Pause: both jobs are cancelled, each after its current slice, so they stop a few steps apart;
//   the side behind then trains the missing steps, and both stand at the same step.
// A side is the page's: what the pairing reads of it is its `controller` (a PlayController),
// `network.steps_trained` and `diverged`. The transport reads the pair as it reads a controller
// (`active`, `state`).
const QUEUE_MOST = 300; // frames a side keeps while it waits for the other (about 10 s of them)

const freshLane = () => ({ queue: [], latest: null, jobsDone: 0 });

export class Pairing {
  #sides = [];
  #lanes = new Map(); // side -> { queue: its frames not shown yet, latest: its newest frame's step, jobsDone }
  #waiters = [];
  #pausing = false; // a Pause is under way, the side behind catching up included

  // show(side, frame): paints a side's frame once the other side has reached its step.
  constructor(show) {
    this.show = show;
  }

  get sides() {
    return this.#sides;
  }

  set sides(sides) {
    this.#sides = sides;
    this.#lanes = new Map(sides.map((side) => [side, freshLane()]));
  }

  // Playing while either side plays; stopping while either stops or the side behind catches up.
  get active() {
    return this.#pausing || this.#sides.some((side) => side.controller.active);
  }

  get state() {
    if (this.#pausing || this.#sides.some((side) => side.controller.state === "stopping")) return "stopping";
    return this.active ? "running" : "idle";
  }

  // A new Play: no frame waits, no job has finished.
  restart() {
    for (const side of this.#sides) this.#lanes.set(side, freshLane());
  }

  #other(side) {
    return this.#sides.find((other) => other !== side);
  }

  // Wakes whatever waits for the pair to change (a side's job finished, a side stopped).
  wake() {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  // Resolves when `side` may ask for its next job: once the other side's job has finished too (or
  // the other side stopped).
  async turn(side) {
    const other = this.#other(side);
    while (other.controller.active && this.#lanes.get(other).jobsDone < this.#lanes.get(side).jobsDone) {
      await new Promise((resolve) => this.#waiters.push(resolve));
    }
  }

  finished(side) {
    this.#lanes.get(side).jobsDone += 1;
    this.wake();
  }

  arrived(side, frame) {
    const lane = this.#lanes.get(side);
    lane.queue.push(frame);
    if (lane.queue.length > QUEUE_MOST) lane.queue.shift();
    lane.latest = frame.step;
    this.#showPaired();
  }

  // The step both sides have reached: the slower one's newest frame. Each side shows its newest frame
  // at or before it; the side ahead keeps its later frames until the other catches up.
  #showPaired() {
    const lanes = this.#sides.map((side) => this.#lanes.get(side));
    if (lanes.some((lane) => lane.latest === null)) return;
    const reached = Math.min(...lanes.map((lane) => lane.latest));
    this.#sides.forEach((side, i) => {
      const { queue } = lanes[i];
      let shown = null;
      while (queue.length && queue[0].step <= reached) shown = queue.shift();
      if (shown) this.show(side, shown);
    });
  }

  async stop() {
    await Promise.all(this.#sides.map((side) => side.controller.stop()));
    this.wake();
  }

  // Pause: both stopped, then the side behind trains the steps it lacks (`catchUp(side, steps)`, a
  // diverged side stays where it stopped), then `redraw()`; the pair reads as stopping throughout.
  // False when a Pause was under way already.
  async pause(catchUp, redraw) {
    if (this.#pausing) return false;
    this.#pausing = true;
    try {
      await this.stop();
      const [a, b] = this.#sides;
      const gap = a.network.steps_trained - b.network.steps_trained;
      const behind = gap > 0 ? b : a;
      if (gap !== 0 && !behind.diverged) await catchUp(behind, Math.abs(gap));
      await redraw();
      return true;
    } finally {
      this.#pausing = false;
    }
  }
}
