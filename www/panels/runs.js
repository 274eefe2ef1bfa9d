// The saved runs (kept in IndexedDB by the worker after every epoch) and the banner that offers
// to resume an interrupted one. A run is live while a worker, in this tab or another, holds the
// Web Lock `kiln-run:<id>`; a run recorded as running that nobody trains is interrupted.
import { deleteRun, getRun, listRuns } from "../store.js";
import { $, el } from "../ui.js";
import { fmt, onLanguage, say, t } from "../i18n/index.js";
import { pageError } from "../words.js";

/** @typedef {import("../store.js").RunRecord} RunRecord */

const LOCK_PREFIX = "kiln-run:";

/** @param {number} t */
const fmtDate = (t) => fmt.date(t, { dateStyle: "short", timeStyle: "short" });
/** @param {number | null | undefined} a */
const fmtPct = (a) => fmt.pct(a);

/** A run recorded as training that no worker trains: its page went away mid-run.
 * @param {RunRecord} run
 * @param {Set<string>} alive ids of the runs training now */
const isInterrupted = (run, alive) => run.status === "running" && !alive.has(run.id);

/** Ids of the runs training now, in this tab or another (their workers hold a Web Lock). */
async function liveRuns() {
  const locks = await navigator.locks?.query?.().catch(() => null);
  const names = (locks?.held ?? []).map((l) => l.name).filter((n) => n?.startsWith(LOCK_PREFIX));
  return new Set(names.map((n) => /** @type {string} */ (n).slice(LOCK_PREFIX.length)));
}

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus, training: ReturnType<typeof import("./training.js").trainingPanel>,
 *   settings: ReturnType<typeof import("./settings.js").settingsPanel>}} deps
 */
export function runsPanel({ worker, errors, bus, training, settings }) {
  let hasDataset = false;
  /** @type {RunRecord | null} the run the banner offers to resume */
  let interrupted = null;
  let ticket = 0; // the latest refresh; earlier ones do not draw
  /** @type {Set<string>} runs whose lock is being waited for */
  const watched = new Set();

  /** Draw the list; resolves to the runs and the live ones it was drawn from. */
  async function refresh() {
    const mine = ++ticket;
    let runs;
    try {
      runs = await listRuns();
    } catch (e) {
      say($("saved-runs-empty"), "runs.unavailable", { message: e.message });
      return { runs: [], alive: new Set() };
    }
    const alive = await liveRuns();
    if (mine !== ticket) return { runs, alive }; // a newer refresh is on its way: draw only that one
    $("saved-runs").querySelector("tbody").replaceChildren(...runs.map((run) => row(run, alive.has(run.id), alive)));
    $("saved-runs-empty").hidden = runs.length > 0;
    const estimate = await navigator.storage?.estimate?.().catch(() => null);
    if (estimate?.quota) {
      say($("storage-usage"), "runs.storage", { used: fmt.fixed((estimate.usage ?? 0) / 1e6, 1), quota: fmt.num(Math.round(estimate.quota / 1e6)) });
    }
    // A run drawn as training (in another tab, this tab, or a worker of this tab's previous page
    // that has not quite gone yet): look again once its lock is released, so the list never
    // keeps saying "training" for a run that stopped.
    for (const r of runs) if (alive.has(r.id)) watch(r.id);
    return { runs, alive };
  }

  /** @param {RunRecord} run @param {boolean} live @param {Set<string>} alive */
  function row(run, live, alive) {
    const tr = el("tr");
    tr.dataset.runId = run.id;
    const status = live ? "training" : isInterrupted(run, alive) ? "interrupted" : run.status;
    const cells = [run.name, `${run.epochs_done} / ${run.epochs_total}`, fmtPct(run.test_accuracy), t(`status.${status}`), fmtDate(run.updated)];
    for (const text of cells) tr.append(el("td", { textContent: text }));
    const actions = el("td");
    /** @param {string} label @param {string} action @param {() => void} onclick */
    const button = (label, action, onclick, title = "") => {
      const b = el("button", { type: "button", textContent: label, title, disabled: training.busy() || live, onclick });
      b.dataset.action = action;
      actions.append(b, " ");
    };
    const more = run.epochs_done >= (run.epochs_total ?? 0);
    button(t(more ? "runs.train_more" : "runs.continue"), "continue", () => continueRun(run.id),
      t(more ? "runs.train_more_title" : "runs.continue_title"));
    button(t("runs.open"), "open", () => openRun(run.id), t("runs.open_title"));
    button(t("runs.delete"), "delete", () => removeRun(run.id));
    tr.append(actions);
    return tr;
  }

  /** @param {string} id */
  function watch(id) {
    if (watched.has(id) || !navigator.locks) return;
    watched.add(id);
    navigator.locks.request(`${LOCK_PREFIX}${id}`, () => {}).then(() => {
      watched.delete(id);
      offerResume();
    });
  }

  /** Continue a saved run from its next epoch; a finished run trains `Epochs` more.
   * @param {string} id */
  async function continueRun(id) {
    errors.clear();
    if (training.busy()) return errors.show(pageError("run_training"));
    // The list may have been drawn before another tab started this run: look again.
    if ((await liveRuns()).has(id)) {
      refresh();
      return errors.show(pageError("run_busy"));
    }
    if (!hasDataset) return errors.show(pageError("load_dataset_first"));
    const saved = await getRun(id);
    if (!saved) return errors.show(pageError("run_gone"));
    let epochs = saved.epochs_total ?? 0;
    if (saved.epochs_done >= epochs) {
      let more;
      try {
        more = await settings.moreEpochs();
      } catch (e) {
        return errors.show(e);
      }
      epochs = saved.epochs_done + more;
    }
    interrupted = null;
    updateBanner();
    // The worker's session brings the run's history so far to the charts.
    await training.run(() => worker.request("resume_run", { run_id: id, epochs }));
  }

  /** Use a saved run's weights.
   * @param {string} id */
  async function openRun(id) {
    errors.clear();
    try {
      await worker.request("load_saved", { run_id: id });
      bus.emit("weights_changed", undefined);
    } catch (e) {
      errors.show(e);
    }
  }

  /** @param {string} id */
  async function removeRun(id) {
    errors.clear();
    try {
      await deleteRun(id);
      if (interrupted?.id === id) {
        interrupted = null;
        updateBanner();
      }
    } catch (e) {
      errors.show(e);
    }
    refresh();
  }

  /** Offer to resume the latest run that was training when its page went away. */
  async function offerResume() {
    // The same snapshot of live runs as the list drew, so the banner and the list agree.
    const { runs, alive } = await refresh();
    interrupted = runs.find((r) => isInterrupted(r, alive) && r.epochs_done < (r.epochs_total ?? 0)) ?? null;
    updateBanner();
  }

  function updateBanner() {
    const run = interrupted;
    $("resume-banner").hidden = !run;
    if (!run) return;
    const where = hasDataset ? "" : { key: "runs.load_first" };
    say($("resume-text"), "runs.interrupted", {
      name: run.name,
      done: run.epochs_done,
      total: run.epochs_total,
      accuracy: fmtPct(run.test_accuracy),
      where,
    });
    $("resume-run").disabled = !hasDataset || training.busy();
  }

  $("resume-run").onclick = () => interrupted && continueRun(interrupted.id);
  $("resume-dismiss").onclick = () => {
    interrupted = null;
    updateBanner();
  };
  bus.on("dataset_loaded", () => {
    hasDataset = true;
    updateBanner();
  });
  bus.on("engine_restarted", () => {
    hasDataset = false;
    updateBanner();
  });
  bus.on("training", () => {
    updateBanner();
    refresh();
  });
  bus.on("autosave", () => refresh());
  onLanguage(() => refresh());

  return { offerResume };
}
