// The page's side of the worker protocol: every request is a Promise.
export class WorkerClient {
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    this.pending = new Map();
    this.nextId = 1;
    this.listeners = {}; // message type → callbacks (progress, load-progress, autosave, crash)
    this.worker.onmessage = ({ data }) => this.#receive(data);
    this.worker.onerror = (e) => {
      const message = e.message || "the worker failed to start";
      for (const { reject } of this.pending.values()) reject(new Error(message));
      this.pending.clear();
      (this.listeners.crash || []).forEach((f) => f(message));
    };
  }

  on(type, listener) {
    (this.listeners[type] ??= []).push(listener);
  }

  request(type, payload = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type, id, ...payload }, transfer);
    });
  }

  #receive(message) {
    if (message.type === "result" || message.type === "error") {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!waiter) return;
      if (message.type === "result") waiter.resolve(message.value);
      else waiter.reject(new Error(message.message));
      return;
    }
    (this.listeners[message.type] || []).forEach((f) => f(message));
  }
}
