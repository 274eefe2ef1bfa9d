// The page's side of the worker protocol (www/protocol.js): every request is a Promise of its
// reply, every event is emitted on the page's Bus (www/bus.js) under its type.
//
// The worker can fail as a whole: its engine traps (a wasm instance is not safe to use after a
// trap, so the worker says so and stops), a script error escapes to its top level, or it dies
// without a word (out of memory, closed). Each worker holds a Web Lock for its lifetime, so the
// page learns of a silent death when the lock is released. Then every pending request fails
// with a message that names it, the worker is replaced by a fresh one (a fresh engine), and the
// crash listeners are told, so the page can load its weights again and offer to resume. A worker
// whose engine does not start in time is replaced by one on a single thread (`#stalled`).

import { pageError } from "./words.js";

/** @typedef {import("./protocol.js").Requests} Requests */
/** @typedef {import("./protocol.js").Replies} Replies */
/** @typedef {import("./protocol.js").WorkerMessage} WorkerMessage */

/** The requests whose failure is worded by what they were doing (`doing.<type>` in the
 * catalogs); any other is "the request".
 * @type {(keyof Requests)[]} */
const DOING = ["init_device", "load_dataset", "samples", "train", "resume_run", "load_saved", "classify", "filters", "evaluate", "last_evaluation", "confusion_cell", "weights_bytes", "load_weights"];

/** At most this many fresh workers per page: an engine that fails again and again (say, as it
 * starts its device) is not started forever. */
const MAX_RESTARTS = 5;

/** How long a worker may take to start the engine's first build (a few seconds, even compiling
 * the 15 MB threaded build on a slow machine). Firefox can stall for good compiling the threaded
 * build (seen about once in ten starts on a busy two-core machine, the worker's thread frozen):
 * past this, a fresh worker starts on one thread, and the device line says why. */
const START_SECONDS = 30;

/** Why a worker failed, as a catalog key and its parameters (the page words it in its
 * language), and in English (for the console and `error.message`).
 * @typedef {{key: string, params?: import("./i18n/index.js").Params}} Reason */

/** The engine trapped. */
const TRAPPED = { key: "worker.reason.engine_trap" };

/** The reason for a worker's error event; a failure whose own words would be the engine's
 * internals ("unreachable", "RuntimeError") reads as a trap: those mean nothing to a user, and
 * the console has them.
 * @param {string} detail the browser's message, "" when the worker did not start
 * @returns {Reason} */
function workerFailed(detail) {
  if (/unreachable|RuntimeError|panicked/i.test(detail)) return TRAPPED;
  return detail ? { key: "worker.reason.failed", params: { detail } } : { key: "worker.reason.not_started" };
}

export class WorkerClient {
  /** @param {string} url @param {import("./bus.js").Bus} bus where the worker's events go
   * @param {number} [startSeconds] how long the engine may take to start (`START_SECONDS`) */
  constructor(url, bus, startSeconds = START_SECONDS) {
    this.url = url;
    this.startSeconds = startSeconds;
    this.bus = bus;
    /** @type {Map<number, {type: keyof Requests, resolve: (value: any) => void, reject: (error: Error) => void}>} */
    this.pending = new Map();
    this.nextId = 1;
    /** @type {((reason: Reason) => void)[]} */
    this.crashListeners = [];
    /** @type {((error: Error) => void)[]} */
    this.deadListeners = [];
    /** How many workers have been replaced. */
    this.restarts = 0;
    /** The request that put the weights in use, to send again to a fresh worker: a weights file
     * (its bytes kept: a few hundred kB) or a saved run, the one trained last included.
     * @type {{type: "load_weights", fields: Requests["load_weights"]} | {type: "load_saved", fields: Requests["load_saved"]} | null} */
    this.weights = null;
    /** The worker's session as it last sent it (www/worker/session.js): the page's one copy,
     * read by the panels, never changed by them.
     * @type {import("./protocol.js").Session} */
    this.session = { device: null, run: null, history: null };
    /** Requests made before the worker's engine has loaded, sent once it has.
     * @type {{message: any, transfer: Transferable[]}[]} */
    this.queue = [];
    this.worker = this.#spawn();
  }

  /** A fresh worker, wired to this client. Requests wait in `queue` until its engine has loaded
   * (or failed to), so that one that never loads can be replaced without losing them. */
  #spawn() {
    this.started = false; // until the worker says it is alive
    this.loaded = false; // until the worker says its first build has settled
    const worker = new Worker(this.url, { type: "module" });
    setTimeout(() => {
      if (worker === this.worker && !this.loaded) this.#stalled();
    }, this.startSeconds * 1000);
    worker.onmessage = ({ data }) => {
      if (worker === this.worker) this.#receive(data);
    };
    worker.onerror = (e) => {
      e.preventDefault(); // said on the page below; the console gets the detail
      console.error(`Kiln worker: ${e.message || "failed to start"}`);
      if (worker === this.worker) this.#fail(workerFailed(e.message || ""));
    };
    return worker;
  }

  /** Called with the reason when the worker failed and a fresh one has replaced it.
   * @param {(reason: Reason) => void} listener */
  onCrash(listener) {
    this.crashListeners.push(listener);
  }

  /** No request is waiting for its reply, sent or held (for the browser tests: a worker that
   * is told to die while idle must not fail a request). */
  idle() {
    return this.pending.size === 0 && this.queue.length === 0;
  }

  /** Send a request; resolves to its reply or rejects with the worker's error.
   * @template {keyof Requests} K
   * @param {K} type
   * @param {Requests[K]} fields
   * @param {Transferable[]} [transfer] buffers handed to the worker, not copied
   * @returns {Promise<Replies[K]>}
   */
  request(type, fields, transfer = []) {
    const id = this.nextId++;
    const weights = this.#weightsRequest(type, fields);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve, reject });
      const message = { ...fields, type, id };
      if (this.loaded) this.worker.postMessage(message, transfer);
      else this.queue.push({ message, transfer });
    }).then((value) => {
      if (weights) this.weights = weights;
      return value;
    });
  }

  /** The request to keep for `reloadWeights` when `type` loads weights (before its buffer is
   * handed over), else null.
   * @param {keyof Requests} type @param {any} fields */
  #weightsRequest(type, fields) {
    if (type === "load_weights") return { type, fields: { ...fields, buffer: fields.buffer.slice(0) } };
    if (type === "load_saved") return { type, fields: { ...fields } };
    return null;
  }

  /** Put the weights that were in use back, in a fresh worker; false when there were none to
   * put back (the untrained or pretrained start). Rejects when they cannot be loaded (a saved
   * run deleted since).
   * @returns {Promise<boolean>} */
  async reloadWeights() {
    const kept = this.weights;
    if (!kept) return false;
    if (kept.type === "load_saved") await this.request(kept.type, kept.fields);
    else {
      const buffer = kept.fields.buffer.slice(0);
      await this.request(kept.type, { ...kept.fields, buffer }, [buffer]);
    }
    return true;
  }

  /** The worker failed: end it, fail what it was doing, and start a fresh one, unless it never
   * started (it would not start the second time either) or too many have failed already.
   * @param {Reason} reason */
  #fail(reason) {
    this.worker.terminate();
    const failed = [...this.pending.values()];
    this.pending.clear();
    this.queue = [];
    const again = this.started && this.restarts < MAX_RESTARTS;
    const next = { key: again ? "worker.next.fresh" : "worker.next.reload" };
    if (again) {
      this.restarts++;
      this.worker = this.#spawn();
    }
    for (const { type, reject } of failed) {
      const doing = { key: DOING.includes(type) ? `doing.${type}` : "doing.request" };
      reject(pageError("request_failed", { doing, reason, next }));
    }
    // The fresh worker has no device and no run; what was drawn stays.
    this.#setSession({ ...this.session, device: null, run: null });
    if (again) this.crashListeners.forEach((f) => f(reason));
    else this.deadListeners.forEach((f) => f(pageError("engine_dead", { reason, next })));
  }

  /** The worker has not started its engine in `startSeconds`: a fresh one on one thread gets
   * the waiting requests; when that one stalls too, the page says the engine did not start. */
  #stalled() {
    const url = new URL(this.url, location.href);
    if (url.searchParams.has("stalled")) {
      this.started = false; // no third try
      this.#fail({ key: "worker.reason.stalled", params: { seconds: this.startSeconds } });
      return;
    }
    console.warn(`Kiln worker: the engine had not started after ${this.startSeconds} s; starting it again on one thread`);
    this.worker.terminate();
    url.searchParams.set("stalled", String(this.startSeconds));
    this.url = url.href;
    this.worker = this.#spawn();
  }

  /** Called with the error to show when the worker failed and no fresh one replaces it.
   * @param {(error: Error) => void} listener */
  onDead(listener) {
    this.deadListeners.push(listener);
  }

  /** Learn when the worker that holds the lock `name` ends without being told to.
   * @param {Worker} worker @param {string} name */
  #watch(worker, name) {
    navigator.locks?.request(name, () => {
      if (worker === this.worker) this.#fail({ key: "worker.reason.stopped" });
    });
  }

  /** Take the session the worker sent; the page hears of it, and of a run starting or ending
   * (`training`).
   * @param {import("./protocol.js").Session} session */
  #setSession(session) {
    const was = this.session.run !== null;
    this.session = session;
    this.bus.emit("session", { type: "session", session });
    if (was !== (session.run !== null)) this.bus.emit("training", session.run !== null);
  }

  /** @param {WorkerMessage} message */
  #receive(message) {
    if (message.type === "result" || message.type === "error") {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!waiter) return;
      if (message.type === "result") waiter.resolve(message.value);
      else waiter.reject(Object.assign(new Error(message.message), { code: message.code, params: message.params }));
      return;
    }
    if (message.type === "alive") {
      this.started = true;
      if (message.lock) this.#watch(this.worker, message.lock);
      return;
    }
    if (message.type === "loaded") {
      this.loaded = true;
      for (const { message, transfer } of this.queue.splice(0)) this.worker.postMessage(message, transfer);
      return;
    }
    if (message.type === "fatal") return this.#fail(TRAPPED);
    if (message.type === "session") return this.#setSession(message.session);
    // After a run's epoch, its saved weights are the ones in use.
    if (message.type === "autosave" && message.ok) this.weights = { type: "load_saved", fields: { run_id: message.run.id } };
    this.bus.emit(message.type, /** @type {any} */ (message));
  }
}
