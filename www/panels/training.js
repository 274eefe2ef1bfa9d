// Section 2: training. The Train, Pause and Stop buttons, the progress figures and the charts.
// A run is a new one (Train) or a saved one continued (the saved-runs panel calls `run`).
import { Charts } from "../charts.js";
import { $, fmtPct } from "../ui.js";
import { runName } from "./settings.js";

/** @typedef {import("../values.js").TrainingSummary} TrainingSummary */
/** @typedef {import("../store.js").RunRecord} RunRecord */

/** @param {number} s seconds */
const fmtTime = (s) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

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

  const setStatus = (/** @type {string} */ text) => ($("train-status").textContent = text);

  /** @param {boolean} on */
  function setTraining(on) {
    training = on;
    $("train").disabled = on || !dataset;
    $("pause").disabled = !on;
    $("stop").disabled = !on;
    $("pause").textContent = "Pause";
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

  worker.on("progress", ({ event }) => {
    switch (event.type) {
      case "started":
        totalEpochs = event.epochs;
        $("epoch-text").textContent = `${Math.min(event.first_epoch + 1, event.epochs)} / ${event.epochs}`;
        $("progress").value = event.first_epoch / event.epochs;
        break;
      case "step":
        $("epoch-progress").value = event.step / event.steps_per_epoch;
        $("progress").value = (event.epoch + event.step / event.steps_per_epoch) / totalEpochs;
        $("epoch-text").textContent = `${event.epoch + 1} / ${totalEpochs}`;
        $("throughput").textContent = event.images_per_second.toFixed(0);
        $("eta").textContent = fmtTime(event.eta_seconds);
        $("loss").textContent = event.loss.toFixed(4);
        $("accuracy").textContent = `${(event.accuracy * 100).toFixed(1)}%`;
        charts.addStep(event);
        break;
      case "evaluating":
        if (!paused) setStatus("evaluating");
        break;
      case "epoch_finished":
        if (event.test) $("test-accuracy").textContent = `${(event.test.accuracy * 100).toFixed(2)}%`;
        charts.addEpoch(event);
        showOverfitting();
        if (!paused) setStatus("training");
        bus.emit("epoch_finished", event);
        break;
      case "checkpoint_failed":
        errors.show(new Error(`Autosave failed: ${event.message}. Training goes on.`));
        break;
    }
  });

  worker.on("autosave", (message) => {
    if (message.ok) {
      $("autosave-status").textContent = `Saved in this browser after epoch ${message.run.epochs_done}.`;
    } else {
      $("autosave-status").textContent = "Autosave failed.";
      errors.show(new Error(message.message));
    }
  });

  /** Best test epoch and the train/test gap, under the epoch chart. */
  function showOverfitting() {
    const o = charts.overfitting;
    const out = $("overfit-summary");
    if (!o) {
      out.textContent = "";
      return;
    }
    const gap = o.gap == null ? "" : ` Last epoch: train ${fmtPct(o.lastTrain)}, test ${fmtPct(o.lastTest)}, a gap of ${(o.gap * 100).toFixed(1)} points${o.gap > 0.05 ? " (overfitting: try augmentation, weight decay or early stopping)" : ""}.`;
    out.textContent = `Best test accuracy ${fmtPct(o.bestTest)} at epoch ${o.bestEpoch}.${gap}`;
    out.dataset.bestEpoch = String(o.bestEpoch);
  }

  /** Run one training request (a new run or a resumed one) and keep the page in step.
   * @param {() => Promise<TrainingSummary>} request */
  async function run(request) {
    setTraining(true);
    setStatus("training");
    $("autosave-status").textContent = "";
    try {
      const summary = await request();
      onSummary(summary);
      setStatus(summary.cancelled ? "stopped" : summary.stopped_early ? "stopped early" : "done");
      if (summary.stopped_early) {
        $("autosave-status").textContent +=
          ` Test accuracy stopped improving: kept the weights of epoch ${(summary.best_epoch ?? 0) + 1} (${fmtPct(summary.best_test_accuracy)}).`;
      }
    } catch (e) {
      setStatus("error");
      errors.show(e);
    } finally {
      setTraining(false);
      bus.emit("weights_changed", undefined);
      bus.emit("run_ended", undefined);
    }
  }

  $("train").onclick = async () => {
    errors.clear();
    let config;
    try {
      config = await settings.read();
    } catch (e) {
      errors.show(e);
      return;
    }
    charts.reset();
    showOverfitting();
    $("test-accuracy").textContent = "–";
    const info = {
      name: runName(config),
      dataset: dataset ? { train_images: dataset.train_images, test_images: dataset.test_images } : null,
      backend: backend(),
    };
    await run(() => worker.request("train", { config, from_current: settings.fromCurrent(), run: info }));
  };

  $("pause").onclick = () => {
    paused = !paused;
    worker.request(paused ? "pause" : "resume", {});
    $("pause").textContent = paused ? "Resume" : "Pause";
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
      $("test-accuracy").textContent = last?.test ? `${(last.test.accuracy * 100).toFixed(2)}%` : "–";
      $("epoch-text").textContent = `${saved.epochs_done + 1} / ${epochs}`;
    },
  };
}
