// The values the engine hands the page through the worker (summaries, events, evaluations),
// declared once for protocol.js and the code that reads them. Each comes from the Rust type
// named in its declaration; serde writes its fields as they are spelled there, absent options
// as null.

/** Bytes the engine copied out of wasm memory (so never a view on a SharedArrayBuffer).
 * @typedef {Uint8Array<ArrayBuffer>} Bytes */

/** `ActiveModel` (crate/src/weights/active.rs, generated): the weights in use and where they
 * came from.
 * @typedef {import("./types/engine/ActiveModel").ActiveModel} ActiveModel
 */

/** `Known` (crate/src/device, generated): what the worker knows when it asks `decideDevice`.
 * @typedef {import("./types/engine/Known").Known} Known
 */

/** `CpuReason` and `GpuReason` (crate/src/device, generated): why the device in use was chosen.
 * The page words each code in one place (www/words.js).
 * @typedef {import("./types/engine/CpuReason").CpuReason | import("./types/engine/GpuReason").GpuReason} DeviceReason
 */

/** @typedef {import("./types/engine/Speeds").Speeds} Speeds images per second */

/** `Decision` (crate/src/device, generated): the device, or that Auto must time both first.
 * @typedef {import("./types/engine/Decision").Decision} Decision
 */

/** `DeviceInfo` (crate/src/device, generated): the device an engine started.
 * @typedef {import("./types/engine/EngineDeviceInfo").EngineDeviceInfo} EngineDeviceInfo
 */

/** Why the CPU path runs on one thread (www/worker/builds.js); www/words.js words each code.
 * @typedef {{code: "threads_off"} | {code: "not_isolated"} | {code: "no_shared_memory"}
 *   | {code: "threads_failed", message: string} | {code: "threads_stalled", seconds: number}} OneThreadReason
 */

/** What `init_device` resolves to: the device in use and why.
 * @typedef {object} DeviceInfo
 * @property {"cpu" | "webgpu"} backend
 * @property {string} adapter the adapter as the browser or the engine names it
 * @property {number | null} threads the CPU path's threads (null on WebGPU)
 * @property {OneThreadReason | null} one_thread why the CPU path has one thread (null with
 *   several, and on WebGPU)
 * @property {("cpu" | "threads" | "gpu")[]} builds the engine builds the worker uses now and
 *   the one it falls back to (www/worker/builds.js `buildsNeeded`): what the page keeps for
 *   offline use
 * @property {DeviceReason} reason
 * @property {{cpu: number | null, webgpu: number} | null} speeds Auto's timings, when it ran
 */

/** `DatasetSummary` (crate/src/data/summary.rs, generated).
 * @typedef {import("./types/engine/DatasetSummary").DatasetSummary} DatasetSummary
 */

/** `Engine.sampleImages` (`Samples` in crate/src/data/summary.rs, generated): `labels[i]` is
 * the class of the i-th 32×32 RGBA image in `rgba`.
 * @typedef {import("./types/engine/Samples").Samples} Samples
 */

/** `TrainingConfig` (crate/src/train/config.rs), generated from the Rust type (www/types/engine/,
 * written by `cargo test`): what `parse_settings` gives and `train` takes.
 * @typedef {import("./types/engine/TrainingConfig").TrainingConfig} TrainingConfig
 */

/** A training setting as the engine declares it (crate/src/train/settings.rs; `Description` in
 * crate/src/train/field.rs, generated): the page draws its form's defaults and limits from these.
 * @typedef {import("./types/engine/Description").Description} SettingDescription
 */

/** A network the page offers (`modelCatalog`; `Offered` in crate/src/train/offered.rs,
 * generated): its `ModelInfo` and the form's values for it.
 * @typedef {import("./types/engine/Offered").Offered} ModelInfo
 */

/** A setting the engine refused, named by its key (`FieldError` in crate/src/train/field.rs).
 * @typedef {{field: string, message: string,
 *   code?: import("./types/engine/FieldCode").FieldCode,
 *   params?: import("./i18n/index.js").Params}} FieldRefusal `code` (crate/src/error_code.rs)
 *   and `params` word `message` in the page's language
 */

/** The run's figures (crate/src/train/events.rs), generated from the Rust types.
 * @typedef {import("./types/engine/Metrics").Metrics} Metrics
 * @typedef {import("./types/engine/EpochRecord").EpochRecord} EpochRecord one finished epoch
 * @typedef {import("./types/engine/Best").Best} Best the best epoch so far (0-based) and its
 *   test accuracy
 * @typedef {import("./types/engine/TrainingSummary").TrainingSummary} TrainingSummary what
 *   `train` and `resume_run` resolve to
 */

/** `TrainingEvent` (crate/src/train/events.rs, generated), and what the browser's observer
 * (crate/src/web/observer.rs) adds: the network drawn for the picture of `draw_during_runs`
 * on a step report (`network`, its numbers as typed arrays), `checkpoint_failed` when an
 * epoch's checkpoint cannot be made, and `stepped` when the one step `step_once` allowed has run.
 * @typedef {import("./types/engine/TrainingEvent").TrainingEvent} EngineEvent
 * @typedef {Extract<EngineEvent, {type: "started"}>} StartedEvent
 * @typedef {Extract<EngineEvent, {type: "step"}> & {network?: NetworkView}} StepEvent
 * @typedef {Extract<EngineEvent, {type: "evaluating"}>} EvaluatingEvent
 * @typedef {Extract<EngineEvent, {type: "epoch_finished"}>} EpochFinishedEvent
 * @typedef {Extract<EngineEvent, {type: "finished"}>} FinishedEvent
 * @typedef {{type: "checkpoint_failed", message: string}} CheckpointFailedEvent
 * @typedef {{type: "stepped"}} SteppedEvent
 * @typedef {StartedEvent | StepEvent | EvaluatingEvent | EpochFinishedEvent | FinishedEvent
 *   | CheckpointFailedEvent | SteppedEvent} TrainingEvent
 */

/** `Insight` (crate/src/insight/, generated): a look inside the network on a batch of
 * training images.
 * @typedef {import("./types/engine/LayerGradient").LayerGradient} LayerGradient
 * @typedef {import("./types/engine/ActivationStats").ActivationStats} ActivationStats
 * @typedef {import("./types/engine/Insight").Insight} Insight
 */

/** `Prediction` (crate/src/infer.rs, generated).
 * @typedef {import("./types/engine/Prediction").Prediction} Prediction
 */

/** `Engine.classify`: `Classification` (crate/src/infer.rs, generated) and the explanation
 * when asked for (from the same forward pass).
 * @typedef {import("./types/engine/Classification").Classification
 *   & {explanation: Explanation | null}} Classification
 */

/** The explanation in `Engine.classify`'s answer (`Explanation` and `FeatureMaps` in
 * crate/src/explain.rs, generated), with the weights that gave it.
 * @typedef {import("./types/engine/FeatureMaps").FeatureMaps} FeatureMaps
 * @typedef {import("./types/engine/Explanation").Explanation & {model: ActiveModel}} Explanation
 */

/** `Engine.network` (crate/src/insight/network.rs `NetworkView`, generated): every layer of
 * the network for one image, input to output; a dense layer's maps are 1×1.
 * @typedef {import("./types/engine/ViewLayer").ViewLayer} ViewLayer
 * @typedef {import("./types/engine/NetworkView").NetworkView} NetworkView
 */

/** `Engine.unit`'s query and answer (crate/src/insight/unit.rs `UnitQuery`, `UnitDetail`,
 * generated): one unit looked inside, with the engine's own sum and value.
 * @typedef {import("./types/engine/UnitQuery").UnitQuery} UnitQuery
 * @typedef {import("./types/engine/UnitDetail").UnitDetail} UnitDetail
 */

/** `Engine.filters` (`Filters` in crate/src/explain.rs, generated): the first convolution's
 * `count` filters of `channels` × `size` × `size`.
 * @typedef {import("./types/engine/Filters").Filters} Filters
 */

/** `Judged` (crate/src/train/eval.rs, generated): one test image and what the network said.
 * @typedef {import("./types/engine/Judged").Judged} Judged
 */

/** `EvaluationReport` (crate/src/train/report.rs, generated): one evaluation, the same fields as
 * `kiln eval --json` prints.
 * @typedef {import("./types/engine/EvaluationReport").EvaluationReport} EvaluationReport
 */

/** `Engine.evaluate` (crate/src/web/evaluation.rs): the report, the weights evaluated and the
 * mistakes' pixels.
 * @typedef {EvaluationReport & {misclassified_rgba: Bytes, model: ActiveModel}} Evaluation
 */

/** `Engine.confusionCell` (`ConfusionCell` in crate/src/train/eval.rs, generated): the images
 * of one confusion-matrix cell.
 * @typedef {import("./types/engine/ConfusionCell").ConfusionCell} ConfusionCell
 */

/** `Engine.memoryUsage` (`MemoryUsage` in crate/src/device, generated).
 * @typedef {import("./types/engine/MemoryUsage").MemoryUsage} MemoryUsage
 */

export {};
