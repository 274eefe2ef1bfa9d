// The messages between the page and its worker, declared once. Every message has a `type`, and
// every type and field is spelled in snake_case. `tsc -p www/jsconfig.json` checks the page
// (client.js, the panels) and the worker (worker.js, worker/*.js) against these declarations.
//
//   page → worker:  {type, id, ...fields}         one of `Requests` below
//   worker → page:  {type: "result", id, value}    the request's `Replies[type]`
//                   {type: "error", id, message, code?, params?}
//                   {type: "progress", event}       a training report, about 10 per second
//                   {type: "load_progress", ...}    while the dataset is decompressed
//                   {type: "autosave", ...}         after every epoch
//                   {type: "alive", lock}           once, when the worker holds its Web Lock
//                   {type: "loaded"}                once, when the engine's first build has started (or failed to)
//                   {type: "fatal", message}        the engine trapped: replace the worker
//                   {type: "device_lost", ...}      the GPU was lost: the worker is on the CPU
//                   {type: "session", session}      the session whenever it changes (worker/session.js)
//
// The engine's values (summaries, events, evaluations) are declared in values.js.

// ---- the engine's values (values.js) that the messages carry ---------------------------

/**
 * @typedef {import("./values.js").Bytes} Bytes
 * @typedef {import("./values.js").ActiveModel} ActiveModel
 * @typedef {import("./values.js").DeviceInfo} DeviceInfo
 * @typedef {import("./values.js").DatasetSummary} DatasetSummary
 * @typedef {import("./values.js").Samples} Samples
 * @typedef {import("./values.js").TrainingConfig} TrainingConfig
 * @typedef {import("./values.js").SettingDescription} SettingDescription
 * @typedef {import("./values.js").ModelInfo} ModelInfo
 * @typedef {import("./values.js").FieldRefusal} FieldRefusal
 * @typedef {import("./values.js").TrainingSummary} TrainingSummary
 * @typedef {import("./values.js").TrainingEvent} TrainingEvent
 * @typedef {import("./values.js").Classification} Classification
 * @typedef {import("./values.js").Filters} Filters
 * @typedef {import("./values.js").Evaluation} Evaluation
 * @typedef {import("./values.js").ConfusionCell} ConfusionCell
 * @typedef {import("./values.js").MemoryUsage} MemoryUsage
 */

// ---- requests, page → worker -------------------------------------------------------------

/** What the page says about a new run, for its saved record.
 * @typedef {{name: string, dataset: {train_images: number, test_images: number} | null}} RunInfo
 */

/** Every request type and its fields (besides `type` and `id`).
 * @typedef {object} Requests
 * @property {{backend: "auto" | "webgpu" | "cpu"}} init_device
 * @property {{files: {name: string, buffer: ArrayBuffer}[]}} load_dataset
 * @property {{per_class: number}} samples
 * @property {{form: Record<string, string>, from_current: boolean, run: RunInfo}} train the
 *   training form's text by setting key, parsed by the engine (refused: an Error coded
 *   `settings_refused` with every refused field)
 * @property {{run_id: string, epochs: number}} resume_run
 * @property {{run_id: string}} load_saved
 * @property {{}} pause
 * @property {{}} resume
 * @property {{}} stop
 * @property {{rgba: Uint8Array, explain: boolean, cls: number | null}} classify the explanation
 *   (of class `cls`, or the top one) with the predictions when `explain`
 * @property {{}} filters
 * @property {{rgba: Uint8Array}} network every layer's output for the image (the drawing)
 * @property {{rgba: Uint8Array, query: import("./values.js").UnitQuery}} unit one unit of the
 *   drawing looked inside
 * @property {{}} evaluate
 * @property {{}} last_evaluation
 * @property {{label: number, predicted: number, limit: number}} confusion_cell
 * @property {{}} memory
 * @property {{}} active_model
 * @property {{}} weights_bytes
 * @property {{name: string, buffer: ArrayBuffer, pretrained: boolean}} load_weights
 * @property {{}} training_settings
 * @property {{}} model_catalog
 * @property {{form: Record<string, string>, what: "settings_check" | "settings_more"}} parse_settings
 *   the form's text by setting key (refused: an Error coded `settings_refused` with every
 *   refused field, its sentence naming `what`)
 * @property {{images: number}} insight a look inside the network on the first `images`
 *   training images (crate/src/insight.rs)
 * @property {{}} step_once while paused, train one batch, then pause again (slow motion)
 * @property {{on: boolean}} watch_learning whether the learning panels are open: progress
 *   reports then carry a look inside the network (`insight`) from time to time
 * @property {{rgba: Uint8Array | null}} draw_during_runs the picture of the drawing while it
 *   is on screen, or null: progress reports then carry the network drawn for it (`network`)
 * @property {{fault: "trap" | "throw" | "close", request: RequestType | null}} test_fault only
 *   for a page opened with `?test`: the engine traps at the next request of type `request`, or
 *   the worker throws at its top level, or it closes itself
 * @property {{}} launch_counts only for a page opened with `?test`: the GPU work recorded
 *   since the first such request, which starts the count (worker/launches.js)
 * @property {{model: string, optimizer: "adam" | "sgd" | "nesterov"}} test_fused_optimizer only
 *   for a page opened with `?test`: `model` trained four steps with Kiln's fused optimiser and
 *   with burn's on the device in use (crate/src/train/optimizer/check.rs)
 * @property {{}} test_fused_loss only for a page opened with `?test`: the fused loss against
 *   burn's cross-entropy on the device in use (crate/src/kernels/check/)
 * @property {{}} test_fused_relu only for a page opened with `?test`: the fused ReLU against
 *   burn's on the device in use (crate/src/kernels/check/)
 * @property {{}} test_layers only for a page opened with `?test`: Kiln's own
 *   convolution and pooling (crate/src/kernels/) against burn's on the device in use. These four
 *   need a build with the kernels' checks (`KILN_CHECKS=1`, as the tests build dist/)
 */

/** What each request resolves to.
 * @typedef {object} Replies
 * @property {DeviceInfo} init_device
 * @property {DatasetSummary} load_dataset
 * @property {Samples} samples
 * @property {TrainingSummary} train
 * @property {TrainingSummary} resume_run
 * @property {ActiveModel} load_saved
 * @property {void} pause
 * @property {void} resume
 * @property {void} stop
 * @property {Classification} classify
 * @property {Filters} filters
 * @property {import("./values.js").NetworkView} network
 * @property {import("./values.js").UnitDetail} unit
 * @property {Evaluation} evaluate
 * @property {Evaluation | null} last_evaluation
 * @property {ConfusionCell} confusion_cell
 * @property {MemoryUsage} memory
 * @property {ActiveModel} active_model
 * @property {Bytes} weights_bytes
 * @property {ActiveModel} load_weights
 * @property {SettingDescription[]} training_settings in the form's order
 * @property {ModelInfo[]} model_catalog the networks the page offers
 * @property {TrainingConfig} parse_settings the config `train` takes
 * @property {import("./values.js").Insight} insight
 * @property {void} step_once
 * @property {void} watch_learning
 * @property {void} draw_during_runs
 * @property {void} test_fault
 * @property {LaunchCounts} launch_counts
 * @property {{largest_difference: number, largest_change: number}} test_fused_optimizer the
 *   largest difference between a weight of the two networks, and the largest change of a weight
 * @property {number} test_fused_loss the largest difference of the two losses' values, sums and
 *   gradients, relative to the largest value
 * @property {number} test_fused_relu the largest difference of the two ReLUs' outputs and gradients
 * @property {number} test_layers the largest difference of the two layers' outputs and
 *   gradients, relative to the largest value
 */

/** What the WebGPU engine has recorded since counting began: compute dispatches (in all and by
 * kernel, the name cubecl gives its pipeline without its hash), buffer-to-buffer copies,
 * `queue.writeBuffer` calls and queue submissions.
 * @typedef {{dispatches: number, by_kernel: Record<string, number>, copies: number,
 *   writes: number, submits: number}} LaunchCounts
 */

/** @typedef {keyof Requests} RequestType */

/** One request as it travels: `{type, id, ...fields}`.
 * @template {RequestType} K
 * @typedef {{type: K, id: number} & Requests[K]} RequestOf
 */

/** @typedef {{[K in RequestType]: RequestOf<K>}[RequestType]} Request */

// ---- messages, worker → page -------------------------------------------------------------

/**
 * @typedef {{type: "result", id: number, value: unknown}} ResultMessage
 * @typedef {{type: "error", id: number, message: string, code?: string,
 *   params?: Record<string, unknown>}} ErrorMessage the English message, and for an error the
 *   page words itself (www/words.js) its code and parameters
 * @typedef {{type: "progress", event: TrainingEvent}} ProgressMessage
 * @typedef {{type: "load_progress", phase: "decompress", done: number, total: number}} LoadProgressMessage
 * @typedef {{type: "autosave", ok: true, run: {id: string, epochs_done: number}}
 *   | {type: "autosave", ok: false, message: string, code: "autosave_failed",
 *      params: {epoch: number, why: string | {key: string, params?: Record<string, string>}}}} AutosaveMessage
 * @typedef {{type: "alive", lock: string | null}} AliveMessage the worker has started and holds
 *   the Web Lock `lock` for as long as it lives (null without Web Locks)
 * @typedef {{type: "loaded"}} LoadedMessage the engine's first build has started, or failed to
 *   (client.js holds its requests until then, at most `START_SECONDS`)
 * @typedef {{type: "fatal", code: "engine_trap", message: string}} FatalMessage the worker cannot go on (its engine
 *   trapped): the page replaces it
 * @typedef {{type: "device_lost", message: string, code: "gpu_lost" | "gpu_lost_run" | "gpu_lost_run_before",
 *   params: {reason: string, kept: number}, reload: boolean}} DeviceLostMessage the GPU
 *   in use was lost and the worker has moved to the CPU path, with the last finished epoch's
 *   weights where a run failed (else `reload`: the page loads the weights in use again)
 */

/** The run in progress, as the worker's session holds it (www/worker/session.js): `starting`
 * until the engine's `started` report, `stopping` from Stop until it ends; `epochs` in all,
 * `epochs_done` finished.
 * @typedef {{id: string, name: string, state: "starting" | "training" | "paused" | "stopping",
 *   epochs: number, epochs_done: number}} RunState
 */

/** What the charts draw: the epochs of the run in progress or the last one (a saved run's
 * earlier epochs included), the best of them as the engine names it, and the step reports
 * (flat [x, loss, accuracy, …]) where the history was replaced (a run began); later reports
 * arrive as `progress` steps.
 * @typedef {{epochs: import("./values.js").EpochRecord[], best: import("./values.js").Best | null,
 *   steps?: number[]}} RunHistory
 */

/** The session the worker owns and sends whole whenever it changes: the device in use (null
 * while the first starts), the run in progress (null when none), and the history drawn (null
 * before this worker's first run).
 * @typedef {{device: DeviceInfo | null, run: RunState | null, history: RunHistory | null}} Session
 * @typedef {{type: "session", session: Session}} SessionMessage
 */

/** The events the page listens to, by type.
 * @typedef {{progress: ProgressMessage, load_progress: LoadProgressMessage,
 *   autosave: AutosaveMessage, device_lost: DeviceLostMessage, session: SessionMessage}} WorkerEvents
 */

/** @typedef {ResultMessage | ErrorMessage | AliveMessage | LoadedMessage | FatalMessage | WorkerEvents[keyof WorkerEvents]} WorkerMessage */

export {};
