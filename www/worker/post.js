// The worker's one way to talk to the page, typed by www/protocol.js.

/** @param {import("../protocol.js").WorkerMessage} message */
export function post(message) {
  postMessage(message);
}
