// The engine's JavaScript API (the `Engine` class of crate/src/web, one per build) as the worker
// uses it, so that tsc checks the worker's handlers against it and against www/protocol.js.

/** @typedef {import("../values.js").ActiveModel} ActiveModel */
/** @typedef {import("../values.js").TrainingEvent} TrainingEvent */
/** @typedef {import("../values.js").TrainingSummary} TrainingSummary */
/** @typedef {import("../values.js").TrainingConfig} TrainingConfig */

/** A run so far, as the engine hands it over after every epoch (crate/src/web/checkpoint.rs)
 * and takes it back to resume: `Checkpoint` (crate/src/train/checkpoint.rs, generated), with
 * the epochs done and the last test accuracy where the engine handed it over.
 * @typedef {import("../types/engine/Checkpoint").Checkpoint
 *   & {epochs_done?: number, test_accuracy?: number | null}} Checkpoint
 */

/** The weights in use and the dataset as `exportState` gives them, for `importState` in
 * another build (`HandOver` and `DatasetFiles` in crate/src/weights/handover.rs, generated): the
 * weights as a burnpack file (`importState` keeps its own where null), the dataset as files
 * `loadDataset` reads back unchanged.
 * @typedef {import("../types/engine/HandOver").HandOver} EngineState
 * @typedef {import("../types/engine/DatasetFiles").DatasetFiles} EngineDataset
 */

/**
 * @typedef {object} Engine
 * @property {(kind: "cpu" | "webgpu") => Promise<import("../values.js").EngineDeviceInfo>} initDevice
 *   start that device (rejects where this build lacks it or WebGPU does not start)
 * @property {() => Promise<number>} cpuSpeed the CPU path's training speed, img/s (CPU builds)
 * @property {() => Promise<number>} timeSteps the training speed of the device in use, img/s
 * @property {(names: string[], files: Uint8Array[], onProgress: (done: number, total: number) => void,
 *   displayName?: string) => import("../values.js").DatasetSummary} loadDataset
 * @property {(perClass: number) => import("../values.js").Samples} sampleImages
 * @property {(config: TrainingConfig, onEvent: (event: TrainingEvent) => void, fromCurrent: boolean,
 *   onCheckpoint: (checkpoint: Checkpoint) => Promise<void>) => Promise<TrainingSummary>} train
 * @property {(checkpoint: Checkpoint, epochs: number | undefined, onEvent: (event: TrainingEvent) => void,
 *   onCheckpoint: (checkpoint: Checkpoint) => Promise<void>) => Promise<TrainingSummary>} resumeRun
 * @property {() => void} pause
 * @property {() => void} resume
 * @property {() => void} stop
 * @property {() => void} stepOnce while paused, one step, then paused again
 * @property {(images: number) => Promise<import("../values.js").Insight>} insight
 * @property {(on: boolean) => void} watchLearning
 * @property {(rgba?: Uint8Array) => void} drawDuringRuns
 * @property {() => boolean} isTraining
 * @property {(rgba: Uint8Array, explain: boolean, cls?: number) => Promise<import("../values.js").Classification>} classify
 * @property {() => Promise<import("../values.js").Filters>} filters
 * @property {(rgba: Uint8Array) => Promise<import("../values.js").NetworkView>} network
 * @property {(rgba: Uint8Array, query: import("../values.js").UnitQuery) => Promise<import("../values.js").UnitDetail>} unit
 * @property {() => Promise<import("../values.js").Evaluation>} evaluate
 * @property {() => import("../values.js").Evaluation | null} lastEvaluation
 * @property {(label: number, predicted: number, limit: number) => import("../values.js").ConfusionCell} confusionCell
 * @property {() => import("../values.js").MemoryUsage} memoryUsage
 * @property {() => ActiveModel} activeModel
 * @property {() => Promise<import("../values.js").Bytes>} weightsBytes
 * @property {(name: string, bytes: Uint8Array, source: ActiveModel["source"]) => ActiveModel} loadWeights
 * @property {() => Promise<EngineState>} exportState
 * @property {(state: EngineState) => ActiveModel} importState
 * @property {() => EngineDataset | null} exportDataset the dataset alone, released here; no
 *   device read (for leaving a lost GPU)
 * @property {() => void} testTrap panics (a wasm trap), for the browser tests of recovery
 * @property {(model: string, optimizer: string) => Promise<{largest_difference: number, largest_change: number}>}
 *   testFusedOptimizer the fused optimiser held to burn's on the device in use, for tests/e2e/fused.test.mjs
 * @property {() => Promise<number>} testFusedRelu the fused ReLU held to burn's, for tests/e2e/fused.test.mjs
 * @property {() => Promise<number>} testFusedLoss the fused loss held to burn's cross-entropy, for
 *   tests/e2e/fused.test.mjs
 * @property {() => Promise<number>} testLayers Kiln's convolution and pooling held to
 *   burn's, for tests/e2e/fused.test.mjs. These four only in a build with the `checks` feature
 *   (crate/src/web/checks.rs; dist/ as the tests build it)
 */

/** A build's module: the `Engine` class, and the free functions every build exports alike
 * (crate/src/web/choose.rs, crate/src/web/settings.rs).
 * @typedef {object} KilnModule
 * @property {(known: import("../values.js").Known) => import("../values.js").Decision} decideDevice
 * @property {() => import("../values.js").SettingDescription[]} trainingSettings
 * @property {() => import("../values.js").ModelInfo[]} modelCatalog
 * @property {(form: Record<string, string>) => TrainingConfig} parseSettings throws an Error
 *   with `fields: FieldRefusal[]` when a setting is refused
 */

/** tsc holds the API above to the one wasm-bindgen declares (www/types/wasm/kiln.d.ts, written
 * by `./build.sh test` from the module it builds: scripts/engine-api.mjs): a method or function
 * renamed, removed or given other parameters in Rust fails the type check.
 * @param {import("../types/wasm/kiln").Engine} engine
 * @param {typeof import("../types/wasm/kiln")} kiln
 * @returns {[Engine, KilnModule]} */
export const declared = (engine, kiln) => [engine, kiln];
