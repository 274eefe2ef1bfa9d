// The page's one event system: the panels' events (a panel says what happened, the panels that
// care listen) and the worker's (www/protocol.js `WorkerEvents`: progress, autosave, …), which
// the worker client emits here as they arrive.

/** @typedef {OwnEvents & import("./protocol.js").WorkerEvents} PageEvents */

/**
 * @typedef {object} OwnEvents
 * @property {import("./values.js").DatasetSummary} dataset_loaded
 * @property {boolean} training a run started (true) or ended (false): the worker's session
 *   changed so (client.js)
 * @property {import("./values.js").EpochFinishedEvent} epoch_finished
 * @property {undefined} weights_changed other weights are in use (loaded, opened or trained)
 * @property {undefined} run_ended after `training` false and `weights_changed`
 * @property {undefined} engine_restarted the worker failed and a fresh one, with no dataset,
 *   replaced it
 * @property {string | null} learning_step the step of training lit in "How it learns"
 *   (`forward`, `loss`, `backward`, `update`…), or none
 * @property {import("./values.js").Insight} insight a look inside the network as it learns
 */

export class Bus {
  /** @type {{[K in keyof PageEvents]?: ((value: PageEvents[K]) => void)[]}} */
  #listeners = {};

  /** @template {keyof PageEvents} K
   * @param {K} name
   * @param {(value: PageEvents[K]) => void} listener */
  on(name, listener) {
    /** @type {((value: PageEvents[K]) => void)[]} */
    const list = (this.#listeners[name] ??= []);
    list.push(listener);
  }

  /** Call the listeners of `name` in the order they were added.
   * @template {keyof PageEvents} K
   * @param {K} name
   * @param {PageEvents[K]} value */
  emit(name, value) {
    /** @type {((value: PageEvents[K]) => void)[]} */
    const list = this.#listeners[name] ?? [];
    for (const listener of list) listener(value);
  }
}
