// Section 2: training. The Train, Pause and Stop buttons, the progress figures and the charts.
// A run is a new one (Train) or a saved one continued (the saved-runs panel calls `run`).
import { Charts } from "../charts.js";
import { $ } from "../ui.js";
import { fmt, say, sayRaw } from "../i18n/index.js";
import { runName } from "./settings.js";

/** @typedef {import("../values.js").TrainingSummary} TrainingSummary */
/** @typedef {import("../store.js").RunRecord} RunRecord */

/** A duration, worded: "1.5 h", "3 min 20 s", "40 s".
 * @param {HTMLElement} element @param {number} s seconds */
const sayTime = (element, s) =>
  s >= 3600
    ? say(element, "time.hours", { h: fmt.num(s / 3600, 1) })
    : s >= 60
      ? say(element, "time.minutes", { m: Math.floor(s / 60), s: Math.round(s % 60) })
      : say(element, "time.seconds", { s: Math.round(s) });

/** Write the epoch counter, "3 / 10".
 * @param {number} epoch 1-based @param {number} epochs */
const sayEpoch = (epoch, epochs) => say($("epoch-text"), "train.epoch_of", { epoch, epochs });

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus, settings: ReturnType<typeof import("./settings.js").settingsPanel>,
 *   backend: () => string | undefined, onSummary: (summary: TrainingSummary) => void}} deps
 *   `settings` reads the form; `backend` names the device in use; `onSummary` receives every
 *   run's summary.
 */
export function trainingPanel({ worker, errors, bus, settings, backend, onSummary }) {
  const charts = new Charts($("step-chart"), $("epoch-chart"));
  /** @type {import("../values.js").DatasetSummary | null} */
  let dataset = null;
  let training = false;
  let paused = false;
  let totalEpochs = 1;
  /** Train was pressed: the charts start afresh when its run starts (not when it is refused). */
  let freshRun = false;

  /** @param {"training" | "evaluating" | "stopped" | "stopped_early" | "done" | "error" | "paused" | "stopping"} status */
  const setStatus = (status) => say($("train-status"), `status.${status}`);

  /** @param {boolean} on */
  function setTraining(on) {
    training = on;
    $("train").disabled = on || !dataset;
    $("pause").disabled = !on;
    $("stop").disabled = !on;
    say($("pause"), "train.pause");
    paused = false;
    bus.emit("training", on);
  }

  bus.on("dataset_loaded", (summary) => {
    dataset = summary;
    $("train").disabled = training;
  });
  bus.on("engine_restarted", () => {
    dataset = null;
    $("train").disabled = true;
  });

  bus.on("progress", ({ event }) => {
    switch (event.type) {
      case "started":
        if (freshRun) {
          // A new run was accepted: the last one's charts and refusals go.
          freshRun = false;
          settings.clearRefused();
          charts.reset();
          showOverfitting();
          $("test-accuracy").textContent = "–";
        }
        totalEpochs = event.epochs;
        sayEpoch(Math.min(event.first_epoch + 1, event.epochs), event.epochs);
        $("progress").value = event.first_epoch / event.epochs;
        break;
      case "step":
        $("epoch-progress").value = event.step / event.steps_per_epoch;
        $("progress").value = event.position / totalEpochs;
        sayEpoch(event.epoch + 1, totalEpochs);
        $("throughput").textContent = fmt.fixed(event.images_per_second);
        sayTime($("eta"), event.eta_seconds);
        $("loss").textContent = fmt.fixed(event.loss, 4);
        $("accuracy").textContent = fmt.pct(event.accuracy, 1);
        charts.addStep(event);
        break;
      case "evaluating":
        if (!paused) setStatus("evaluating");
        break;
      case "epoch_finished":
        if (event.test) $("test-accuracy").textContent = fmt.pct(event.test.accuracy);
        charts.addEpoch(event);
        showOverfitting();
        if (!paused) setStatus("training");
        bus.emit("epoch_finished", event);
        break;
    }
  });

  bus.on("autosave", (message) => {
    if (message.ok) {
      say($("autosave-status"), "train.autosaved", { epoch: message.run.epochs_done });
    } else {
      say($("autosave-status"), "train.autosave_failed");
      errors.show(Object.assign(new Error(message.message), { code: message.code, params: message.params }));
    }
  });

  /** Best test epoch and the train/test gap, under the epoch chart. */
  function showOverfitting() {
    const o = charts.overfitting;
    const out = $("overfit-summary");
    if (!o) {
      sayRaw(out, "");
      return;
    }
    const advice = o.gap != null && o.gap > 0.05 ? { key: "overfit.advice" } : "";
    const gap =
      o.gap == null
        ? ""
        : { key: "overfit.gap", params: { train: fmt.pct(o.lastTrain), test: fmt.pct(o.lastTest), points: fmt.fixed(o.gap * 100, 1), advice } };
    say(out, "overfit.summary", { best: fmt.pct(o.bestTest), epoch: o.bestEpoch, gap });
    out.dataset.bestEpoch = String(o.bestEpoch);
  }

  /** Run one training request (a new run or a resumed one) and keep the page in step.
   * @param {() => Promise<TrainingSummary>} request */
  async function run(request) {
    setTraining(true);
    setStatus("training");
    sayRaw($("autosave-status"), "");
    try {
      const summary = await request();
      onSummary(summary);
      setStatus(summary.cancelled ? "stopped" : summary.stopped_early ? "stopped_early" : "done");
      if (summary.stopped_early) {
        // After the autosave's sentence, if there is one.
        const status = $("autosave-status");
        const saved = status.dataset.i18n ? { key: status.dataset.i18n, params: JSON.parse(status.dataset.i18nParams ?? "{}") } : "";
        const best = { epoch: (summary.best_epoch ?? 0) + 1, accuracy: fmt.pct(summary.best_test_accuracy) };
        say(status, "train.kept_best", { saved, ...best });
      }
    } catch (e) {
      freshRun = false;
      if (settings.showRefused(e)) say($("train-status"), "status.idle");
      else setStatus("error");
      errors.show(e);
    } finally {
      setTraining(false);
      bus.emit("weights_changed", undefined);
      bus.emit("run_ended", undefined);
    }
  }

  // Train is one request carrying the form: the engine reads and checks it, and either trains
  // or refuses it (each refused setting shown beside its field, nothing else changed).
  $("train").onclick = async () => {
    errors.clear();
    const form = await settings.text();
    const info = {
      name: runName(form),
      dataset: dataset ? { train_images: dataset.train_images, test_images: dataset.test_images } : null,
      backend: backend(),
    };
    freshRun = true;
    await run(() => worker.request("train", { form, from_current: settings.fromCurrent(), run: info }));
  };

  $("pause").onclick = () => {
    paused = !paused;
    worker.request(paused ? "pause" : "resume", {});
    say($("pause"), paused ? "train.resume" : "train.pause");
    setStatus(paused ? "paused" : "training");
  };
  $("stop").onclick = () => {
    worker.request("stop", {});
    setStatus("stopping");
  };

  return {
    charts,
    run,
    isTraining: () => training,
    /** Draw a saved run as it was when it stopped, before it continues for `epochs` in all.
     * @param {RunRecord} saved
     * @param {number} epochs */
    restore(saved, epochs) {
      charts.restore(saved.steps ?? [], saved.history ?? []);
      showOverfitting();
      const last = saved.history?.at(-1);
      $("test-accuracy").textContent = last?.test ? fmt.pct(last.test.accuracy) : "–";
      sayEpoch(saved.epochs_done + 1, epochs);
    },
  };
}
