// Section 2: training. The Train, Pause and Stop buttons, the progress figures and the charts.
// A run is a new one (Train) or a saved one continued (the saved-runs panel calls `run`).
import { Charts } from "../charts.js";
import { $ } from "../ui.js";
import { fmt, say, sayRaw } from "../i18n/index.js";
import { runName } from "./settings.js";

/** @typedef {import("../values.js").TrainingSummary} TrainingSummary */

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
 *   onSummary: (summary: TrainingSummary) => void}} deps `settings` reads the form;
 *   `onSummary` receives every run's summary.
 */
export function trainingPanel({ worker, errors, bus, settings, onSummary }) {
  const charts = new Charts($("step-chart"), $("epoch-chart"));
  /** @type {import("../values.js").DatasetSummary | null} */
  let dataset = null;
  /** A run's request is on its way: Train stays off until the worker's session says more. */
  let asking = false;
  /** The run drawn (its id), so that a new one clears what the last one left. */
  let drawn = "";

  /** @param {"training" | "evaluating" | "stopped" | "stopped_early" | "done" | "error" | "paused" | "stopping"} status */
  const setStatus = (status) => say($("train-status"), `status.${status}`);

  /** The buttons as the session and the dataset allow. */
  function buttons() {
    const run = worker.session.run;
    $("train").disabled = asking || run !== null || !dataset;
    $("pause").disabled = !run || run.state === "starting" || run.state === "stopping";
    $("stop").disabled = !run || run.state === "stopping";
    say($("pause"), run?.state === "paused" ? "train.resume" : "train.pause");
  }

  bus.on("dataset_loaded", (summary) => {
    dataset = summary;
    buttons();
  });
  bus.on("engine_restarted", () => {
    dataset = null;
    buttons();
  });

  // The session as the worker sent it: the run's state, its epochs and best epoch, and the
  // step reports when the history was replaced.
  bus.on("session", ({ session: { run, history } }) => {
    buttons();
    if (run && run.id !== drawn) {
      drawn = run.id; // a run was accepted: the last one's refusals go
      settings.clearRefused();
    }
    if (run) {
      if (run.state !== "starting") setStatus(run.state);
      sayEpoch(Math.min(run.epochs_done + 1, run.epochs), run.epochs);
    }
    if (!history) return;
    if (history.steps) charts.restore(history.steps, history.epochs, history.best);
    else charts.setEpochs(history.epochs, history.best);
    const test = history.epochs.at(-1)?.test;
    $("test-accuracy").textContent = test ? fmt.pct(test.accuracy) : "–";
    showOverfitting(history);
  });

  bus.on("progress", ({ event }) => {
    switch (event.type) {
      case "started":
        $("progress").value = event.first_epoch / event.epochs;
        break;
      case "step":
        $("epoch-progress").value = event.step / event.steps_per_epoch;
        $("progress").value = event.position / (worker.session.run?.epochs ?? 1);
        $("throughput").textContent = fmt.fixed(event.images_per_second);
        sayTime($("eta"), event.eta_seconds);
        $("loss").textContent = fmt.fixed(event.loss, 4);
        $("accuracy").textContent = fmt.pct(event.accuracy, 1);
        charts.addStep(event);
        break;
      case "evaluating":
        if (worker.session.run?.state === "training") setStatus("evaluating");
        break;
      case "epoch_finished":
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

  /** Best test epoch (the engine's) and the train/test gap of the last epoch, under the epoch
   * chart. @param {import("../protocol.js").RunHistory} history */
  function showOverfitting({ epochs, best }) {
    const out = $("overfit-summary");
    const last = epochs.at(-1);
    if (!best || !last) {
      sayRaw(out, "");
      delete out.dataset.bestEpoch;
      return;
    }
    const gap = last.test ? last.train.accuracy - last.test.accuracy : null;
    const advice = gap != null && gap > 0.05 ? { key: "overfit.advice" } : "";
    const gapText =
      gap == null || !last.test
        ? ""
        : { key: "overfit.gap", params: { train: fmt.pct(last.train.accuracy), test: fmt.pct(last.test.accuracy), points: fmt.fixed(gap * 100, 1), advice } };
    say(out, "overfit.summary", { best: fmt.pct(best.accuracy), epoch: best.epoch + 1, gap: gapText });
    out.dataset.bestEpoch = String(best.epoch + 1);
  }

  /** Run one training request (a new run or a resumed one) and say how it ended.
   * @param {() => Promise<TrainingSummary>} request */
  async function run(request) {
    asking = true;
    buttons();
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
      if (settings.showRefused(e)) say($("train-status"), "status.idle");
      else setStatus("error");
      errors.show(e);
    } finally {
      asking = false;
      buttons();
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
    };
    await run(() => worker.request("train", { form, from_current: settings.fromCurrent(), run: info }));
  };

  // The worker's session says what came of each: the buttons and the status follow it.
  $("pause").onclick = () => worker.request(worker.session.run?.state === "paused" ? "resume" : "pause", {});
  $("stop").onclick = () => worker.request("stop", {});

  return {
    charts,
    run,
    /** A run is in progress, or its request is on its way. */
    busy: () => asking || worker.session.run !== null,
  };
}
