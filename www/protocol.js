// The messages between the page and its worker, declared once. Every message has a `type`, and
// every type and field is spelled in snake_case. `tsc -p www/jsconfig.json` checks the page
// (client.js, the panels) and the worker (worker.js, worker/*.js) against these declarations.
//
//   page → worker:  {type, id, ...fields}         one of `Requests` below
//   worker → page:  {type: "result", id, value}    the request's `Replies[type]`
//                   {type: "error", id, message}
//                   {type: "progress", event}       a training report, about 10 per second
//                   {type: "load_progress", ...}    while the dataset is decompressed
//                   {type: "autosave", ...}         after every epoch
//
// The engine's values (summaries, events, evaluations) come from the Rust types named in each
// declaration; serde writes their fields as they are spelled there, absent options as null.

// ---- values the engine returns ---------------------------------------------------------

/** Bytes the engine copied out of wasm memory (so never a view on a SharedArrayBuffer).
 * @typedef {Uint8Array<ArrayBuffer>} Bytes */

/** `ActiveModel` (crate/src/web/weights.rs): where the weights in use came from.
 * @typedef {object} ActiveModel
 * @property {"untrained" | "pretrained" | "trained" | "saved" | "file"} source
 * @property {number} epochs
 * @property {number | null} test_accuracy
 */

/** `Known` (crate/src/device): what the worker knows when it asks `decideDevice`.
 * @typedef {object} Known
 * @property {"auto" | "webgpu" | "cpu"} preference the device menu's choice
 * @property {boolean} webgpu_exposed navigator.gpu exists
 * @property {{description: string, software: boolean} | null} adapter
 * @property {{cpu: number | null, webgpu: number} | null} speeds Auto's timings, img/s
 * @property {{code: "webgpu_failed" | "build_not_loaded", message: string} | null} failure
 */

/** `CpuReason` and `GpuReason` (crate/src/device): why the device in use was chosen. The page
 * words each code in one place (www/words.js).
 * @typedef {{code: "chosen"} | {code: "no_webgpu_in_browser"} | {code: "no_adapter"}
 *   | {code: "software_adapter", adapter: string} | {code: "webgpu_failed", message: string}
 *   | {code: "build_not_loaded", message: string} | {code: "cpu_faster", speeds: Speeds}
 *   | {code: "faster", speeds: Speeds} | {code: "cpu_not_timed"}} DeviceReason
 */

/** @typedef {{cpu: number, webgpu: number}} Speeds images per second */

/** `Decision` (crate/src/device): the device, or that Auto must time both first.
 * @typedef {{kind: "cpu" | "webgpu", reason: DeviceReason} | {kind: "measure"}} Decision
 */

/** `DeviceInfo` (crate/src/web/device.rs): the device an engine started.
 * @typedef {{backend: "cpu" | "webgpu", adapter: string}} EngineDeviceInfo
 */

/** What `init_device` resolves to: the device in use and why.
 * @typedef {object} DeviceInfo
 * @property {"cpu" | "webgpu"} backend
 * @property {string} adapter the adapter as the browser reports it; the CPU path with its threads
 * @property {number | null} threads the CPU path's threads (null on WebGPU)
 * @property {DeviceReason} reason
 * @property {{cpu: number | null, webgpu: number} | null} speeds Auto's timings, when it ran
 */

/** `DatasetSummary` (crate/src/web/dataset.rs).
 * @typedef {object} DatasetSummary
 * @property {number} train_images
 * @property {number} test_images
 * @property {number[]} train_per_class
 * @property {number[]} test_per_class
 * @property {string[]} class_names
 */

/** `Engine.sampleImages`: `labels[i]` is the class of the i-th 32×32 RGBA image in `rgba`.
 * @typedef {{labels: Bytes, rgba: Bytes}} Samples
 */

/** `TrainingConfig` (crate/src/train/config.rs); missing fields take their defaults.
 * @typedef {object} TrainingConfig
 * @property {{name: string, activation: string}} model
 * @property {{kind: "adam", beta_1: number, beta_2: number, epsilon: number} | {kind: "sgd"}} optimizer
 * @property {number} epochs
 * @property {number} batch_size
 * @property {number} learning_rate
 * @property {number | null} train_limit
 * @property {{flip: boolean, crop_padding: number}} augmentation
 * @property {number} weight_decay
 * @property {number | null} early_stopping patience in epochs; null trains every epoch
 * @property {number} [seed]
 * @property {"unit" | "mean_std"} [normalization]
 * @property {number | null} [test_limit]
 * @property {number} [eval_batch_size]
 * @property {number} [report_every_seconds]
 */

/** A training setting as the engine declares it (crate/src/train/settings.rs; `Description` in
 * crate/src/train/field.rs): the page draws its form's defaults and limits from these.
 * @typedef {object} SettingDescription
 * @property {string} key the setting's name in `parse_settings`' form and in the URL hash
 * @property {"int" | "float" | "bool" | "choice"} kind
 * @property {number | boolean | string | null} default null: empty, all the images
 * @property {number | null} min
 * @property {number | null} max
 * @property {boolean} min_exclusive the value must be above `min`
 * @property {string[] | null} choices
 */

/** A setting the engine refused, named by its key (`FieldError` in crate/src/train/field.rs).
 * @typedef {{field: string, message: string}} FieldRefusal
 */

/** `Metrics` (crate/src/train/events.rs).
 * @typedef {{loss: number, accuracy: number, images: number}} Metrics
 */

/** `EpochRecord` (crate/src/train): one finished epoch.
 * @typedef {{epoch: number, train: Metrics, test: Metrics | null}} EpochRecord
 */

/** `TrainingSummary` (crate/src/train/events.rs): what `train` and `resume_run` resolve to.
 * @typedef {object} TrainingSummary
 * @property {number} epochs
 * @property {number} train_loss
 * @property {number} train_accuracy
 * @property {number | null} test_loss
 * @property {number | null} test_accuracy
 * @property {number | null} best_test_accuracy
 * @property {number | null} best_epoch
 * @property {number} images_per_second
 * @property {number} seconds
 * @property {boolean} cancelled
 * @property {boolean} stopped_early
 * @property {number} host_seconds_per_step
 */

/** `TrainingEvent` (crate/src/train/events.rs), and `checkpoint_failed`, which the browser's
 * observer (crate/src/web/observer.rs) sends when an epoch's checkpoint cannot be made.
 * @typedef {{type: "started", first_epoch: number, epochs: number, steps_per_epoch: number,
 *   train_images: number, test_images: number, parameters: number}} StartedEvent
 * @typedef {{type: "step", epoch: number, step: number, steps_per_epoch: number, loss: number,
 *   accuracy: number, images_per_second: number, eta_seconds: number}} StepEvent
 * @typedef {{type: "evaluating", epoch: number}} EvaluatingEvent
 * @typedef {{type: "epoch_finished", epoch: number, train: Metrics, test: Metrics | null,
 *   seconds: number, images_per_second: number}} EpochFinishedEvent
 * @typedef {{type: "finished", summary: TrainingSummary}} FinishedEvent
 * @typedef {{type: "checkpoint_failed", message: string}} CheckpointFailedEvent
 * @typedef {StartedEvent | StepEvent | EvaluatingEvent | EpochFinishedEvent | FinishedEvent
 *   | CheckpointFailedEvent} TrainingEvent
 */

/** `Prediction` (crate/src/infer.rs).
 * @typedef {{class: number, name: string, probability: number}} Prediction
 */

/** `Engine.classify`: every class, best first, the weights that answered, and the explanation
 * when asked for (from the same forward pass).
 * @typedef {{predictions: Prediction[], model: ActiveModel, explanation: Explanation | null}} Classification
 */

/** The explanation in `Engine.classify`'s answer (crate/src/explain.rs `Explanation`, with `model`).
 * @typedef {{layer: string, channels: number, height: number, width: number,
 *   values: Float32Array}} FeatureMaps
 * @typedef {object} Explanation
 * @property {Prediction[]} predictions
 * @property {number} class the class explained
 * @property {Float32Array} saliency 32×32
 * @property {Float32Array} gradcam gradcam_side × gradcam_side
 * @property {number} gradcam_side
 * @property {FeatureMaps[]} feature_maps
 * @property {ActiveModel} model
 */

/** `Engine.filters`: the first convolution's `count` filters of `channels` × `size` × `size`.
 * @typedef {{count: number, channels: number, size: number, values: Float32Array}} Filters
 */

/** `Judged` (crate/src/train/eval.rs): one test image and what the network said.
 * @typedef {{index: number, label: number, predicted: number, confidence: number}} Judged
 */

/** `Engine.evaluate` (crate/src/web/evaluation.rs).
 * @typedef {object} Evaluation
 * @property {number} accuracy
 * @property {number} loss
 * @property {number} images
 * @property {(number | null)[]} per_class_accuracy
 * @property {number[][]} confusion rows: true class, columns: predicted
 * @property {number[]} test_per_class
 * @property {string[]} class_names
 * @property {Judged[]} misclassified most confident first
 * @property {Bytes} misclassified_rgba their 32×32 RGBA pixels
 * @property {ActiveModel} model
 */

/** `Engine.confusionCell`: the images of one confusion-matrix cell.
 * @typedef {{items: Judged[], rgba: Bytes}} ConfusionCell
 */

/** `Engine.memoryUsage`.
 * @typedef {{wasm_bytes: number, device_reserved_bytes: number | null,
 *   device_in_use_bytes: number | null}} MemoryUsage
 */

// ---- requests, page → worker -------------------------------------------------------------

/** What the page says about a new run, for its saved record.
 * @typedef {{name: string, dataset: {train_images: number, test_images: number} | null,
 *   backend: string | undefined}} RunInfo
 */

/** Every request type and its fields (besides `type` and `id`).
 * @typedef {object} Requests
 * @property {{backend: "auto" | "webgpu" | "cpu"}} init_device
 * @property {{files: {name: string, buffer: ArrayBuffer}[]}} load_dataset
 * @property {{per_class: number}} samples
 * @property {{config: TrainingConfig, from_current: boolean, run: RunInfo}} train
 * @property {{run_id: string, epochs: number, backend: string | undefined}} resume_run
 * @property {{run_id: string}} load_saved
 * @property {{}} pause
 * @property {{}} resume
 * @property {{}} stop
 * @property {{rgba: Uint8Array, explain: boolean, cls: number | null}} classify the explanation
 *   (of class `cls`, or the top one) with the predictions when `explain`
 * @property {{}} filters
 * @property {{}} evaluate
 * @property {{}} last_evaluation
 * @property {{label: number, predicted: number, limit: number}} confusion_cell
 * @property {{}} memory
 * @property {{}} active_model
 * @property {{}} weights_bytes
 * @property {{name: string, buffer: ArrayBuffer, pretrained: boolean}} load_weights
 * @property {{}} training_settings
 * @property {{form: Record<string, string>}} parse_settings the form's text by setting key
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
 * @property {Evaluation} evaluate
 * @property {Evaluation | null} last_evaluation
 * @property {ConfusionCell} confusion_cell
 * @property {MemoryUsage} memory
 * @property {ActiveModel} active_model
 * @property {Bytes} weights_bytes
 * @property {ActiveModel} load_weights
 * @property {SettingDescription[]} training_settings in the form's order
 * @property {{config: TrainingConfig | null, fields: FieldRefusal[]}} parse_settings the
 *   config `train` takes, or null and every refused setting
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
 * @typedef {{type: "error", id: number, message: string}} ErrorMessage
 * @typedef {{type: "progress", event: TrainingEvent}} ProgressMessage
 * @typedef {{type: "load_progress", phase: "decompress", done: number, total: number}} LoadProgressMessage
 * @typedef {{type: "autosave", ok: true, run: {id: string, epochs_done: number}}
 *   | {type: "autosave", ok: false, message: string}} AutosaveMessage
 */

/** The events the page listens to, by type.
 * @typedef {{progress: ProgressMessage, load_progress: LoadProgressMessage,
 *   autosave: AutosaveMessage}} WorkerEvents
 */

/** @typedef {ResultMessage | ErrorMessage | WorkerEvents[keyof WorkerEvents]} WorkerMessage */

export {};
