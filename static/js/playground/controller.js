// Play as an explicit state machine. Play runs training jobs back to back on one stored network,
// following each job's Server-Sent Events:
//
//   idle --play--> waiting --first event--> running --job done--> waiting (the next job) ...
//   waiting | running --stop--> stopping --cancelled--> idle
//   waiting | running --failed, diverged, connection lost--> idle
//
// The page tells the controller what job to ask for next (`nextJob`, which may wait: Compare holds
// one side's next job until the other side's job has finished too) and hears about frames,
// finished jobs and every change of state (`changed(state, detail)`); it keeps no flags of its own.
import { announce, api } from "../api.js";

const TRANSITIONS = {
  idle: ["waiting"],
  waiting: ["running", "stopping", "idle"],
  running: ["waiting", "stopping", "idle"],
  stopping: ["idle"],
};
const QUEUE_CHECK_MS = 1000; // a queued job's place is asked for this often until its first event

export class PlayController {
  #state = "idle";
  #run = null; // the current Play: { job: {id, source} | null, pending: the request creating the next job }
  #stopping = null;

  // hooks: nextJob(first) -> {body, label} (or a promise of it); frame(progress); finished(job);
  // changed(state, detail).
  constructor(hooks) {
    this.hooks = hooks;
  }

  get state() {
    return this.#state;
  }

  get active() {
    return this.#state !== "idle";
  }

  #to(next, detail = {}) {
    if (!TRANSITIONS[this.#state].includes(next)) throw new Error(`Play cannot go from ${this.#state} to ${next}`);
    this.#state = next;
    this.hooks.changed(next, detail);
  }

  // `prepare`: what must be done before the first job is asked for (part of waiting).
  async play(prepare = async () => {}) {
    if (this.#state !== "idle") return;
    const run = { job: null, pending: null, first: true };
    this.#run = run;
    this.#to("waiting");
    await prepare();
    if (this.#run === run) await this.#startJob(run);
  }

  async #startJob(run) {
    const { body, label } = await this.hooks.nextJob(run.first);
    if (this.#run !== run) return; // stopped while the page made up its request
    run.first = false;
    const request = api("POST", "/api/jobs", { body, label });
    run.pending = request;
    let job;
    try {
      job = await request;
    } catch (error) {
      if (this.#run === run) this.#end(error); // else stop() is on it and reports it
      return;
    } finally {
      if (run.pending === request) run.pending = null;
    }
    if (this.#run !== run) return; // stopped meanwhile: stop() cancels this job
    this.#follow(run, job);
  }

  #follow(run, job) {
    const url = `/api/jobs/${job.id}/events`;
    announce("Live progress of the training job (Server-Sent Events)", "GET", url);
    const source = new EventSource(url);
    run.job = { id: job.id, source };
    const current = () => this.#run === run && run.job !== null && run.job.id === job.id;
    if (job.status === "queued") this.#watchQueue(job, current);
    source.addEventListener("progress", (event) => {
      if (!current()) return;
      if (this.#state === "waiting") this.#to("running");
      this.hooks.frame(JSON.parse(event.data));
    });
    source.addEventListener("done", (event) => {
      source.close();
      if (!current()) return;
      const finished = JSON.parse(event.data);
      run.job = null;
      this.hooks.finished(finished);
      if (finished.status === "done") {
        if (this.#state === "running") this.#to("waiting");
        this.#startJob(run);
      } else {
        const why = finished.status === "cancelled" ? null
          : new Error(`Training stopped (${finished.status})${finished.error ? `: ${finished.error}` : "."}`);
        this.#end(why, { finished });
      }
    });
    source.onerror = () => {
      // The stream ended without a `done` (a server restart): stop, and say so.
      if (!current()) return;
      source.close();
      run.job = null;
      this.#end(new Error("The live connection to the training job was lost."));
    };
  }

  // A queued job's place in the queue, told to the page until the job's first event.
  async #watchQueue(job, current) {
    let position = job.queue_position;
    while (current() && this.#state === "waiting" && position !== null && position !== undefined) {
      this.hooks.changed("waiting", { position });
      await new Promise((resolve) => setTimeout(resolve, QUEUE_CHECK_MS));
      if (!current() || this.#state !== "waiting") return;
      try {
        position = (await api("GET", `/api/jobs/${job.id}`)).queue_position;
      } catch {
        return; // the stream reports a job that is gone
      }
    }
  }

  // New settings for the rest of this Play: the current job is cancelled (the server stores its
  // weights and the optimizer's memory) and the next one, asked for with the new settings, goes on
  // from them; the Play never pauses, so nothing on screen is redrawn on the way.
  async renew() {
    const run = this.#run;
    if (!run || this.#state === "stopping") return;
    if (run.pending) await run.pending.catch(() => null); // the job being created: it is the one to renew
    const { job } = run;
    if (this.#run !== run || !job) return; // stopped, or the next job is asked for with the new settings
    run.job = null;
    job.source.close();
    try {
      await api("POST", `/api/jobs/${job.id}/cancel`, { label: "New settings: cancel the job (the next one goes on from it)" });
    } catch (error) {
      if (this.#run === run) this.#end(error);
      return;
    }
    if (this.#run !== run) return;
    if (this.#state === "running") this.#to("waiting");
    await this.#startJob(run);
  }

  // The Play ends by itself (a failure, a lost connection, a job cancelled elsewhere).
  #end(error, detail = {}) {
    const run = this.#run;
    this.#run = null;
    if (run && run.job) run.job.source.close();
    this.#to("idle", { ...detail, error, ended: true });
  }

  // Stop now: close the stream first so nothing on screen moves after the click, then cancel the
  // job; the answer (in `changed("idle", {cancelled})`) holds the last finished step's numbers.
  stop() {
    if (this.#state === "stopping") return this.#stopping;
    if (this.#state === "idle") return Promise.resolve(null);
    const run = this.#run;
    this.#run = null;
    this.#to("stopping");
    if (run.job) run.job.source.close();
    this.#stopping = this.#cancel(run).finally(() => { this.#stopping = null; });
    return this.#stopping;
  }

  async #cancel(run) {
    if (!run.job && !run.pending) {
      this.#to("idle");
      return null;
    }
    const started = performance.now();
    try {
      const jobId = run.job ? run.job.id : (await run.pending).id;
      const cancelled = await api("POST", `/api/jobs/${jobId}/cancel`, { label: "Pause: cancel the job" });
      this.#to("idle", { cancelled, milliseconds: performance.now() - started });
      return cancelled;
    } catch (error) {
      this.#to("idle", { error });
      return null;
    }
  }
}
