// The page's side of the worker protocol (www/protocol.js): every request is a Promise of its
// reply, every event goes to the listeners of its type.

/** @typedef {import("./protocol.js").Requests} Requests */
/** @typedef {import("./protocol.js").Replies} Replies */
/** @typedef {import("./protocol.js").WorkerEvents} WorkerEvents */
/** @typedef {import("./protocol.js").WorkerMessage} WorkerMessage */

export class WorkerClient {
  /** @param {string} url */
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
    this.pending = new Map();
    this.nextId = 1;
    /** @type {{[K in keyof WorkerEvents]?: ((message: WorkerEvents[K]) => void)[]}} */
    this.listeners = {};
    /** @type {((message: string) => void)[]} */
    this.crashListeners = [];
    this.worker.onmessage = ({ data }) => this.#receive(data);
    this.worker.onerror = (e) => {
      const message = e.message || "the worker failed to start";
      for (const { reject } of this.pending.values()) reject(new Error(message));
      this.pending.clear();
      this.crashListeners.forEach((f) => f(message));
    };
  }

  /** Listen to one type of event from the worker.
   * @template {keyof WorkerEvents} K
   * @param {K} type
   * @param {(message: WorkerEvents[K]) => void} listener
   */
  on(type, listener) {
    /** @type {((message: WorkerEvents[K]) => void)[]} */
    const list = (this.listeners[type] ??= []);
    list.push(listener);
  }

  /** Called with a message when the worker fails (it did not start, or it threw).
   * @param {(message: string) => void} listener */
  onCrash(listener) {
    this.crashListeners.push(listener);
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
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...fields, type, id }, transfer);
    });
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
    const listeners = /** @type {((m: typeof message) => void)[] | undefined} */ (this.listeners[message.type]);
    (listeners ?? []).forEach((f) => f(message));
  }
}
