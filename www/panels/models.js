// The network menu. Each network says what it is before it is picked: its size, its cost per
// image, the accuracy its recipe reaches and how long a run would take on the device in use.
// Picking one puts its recipe's settings into the form and, unless the weights in use are the
// user's own (trained here, saved or loaded), switches to its pretrained weights: loaded when it
// is picked, not before (airbench's are megabytes; the page opens with the seed's).
import { $, el } from "../ui.js";

/** @typedef {import("../values.js").ModelInfo} ModelInfo */

/** Where the catalog's figures for the seed came from: Auto's probe times the seed network, so
 * a run of another network is estimated from the two networks' cost per image. */
const PROBED = "seed";

/** @param {number} flops */
const mflop = (flops) => `${(flops / 1e6).toLocaleString(undefined, { maximumFractionDigits: 0 })} MFLOP`;

/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus, settings: {apply: (values: Record<string, string>) => void},
 *   usePretrained: (info: ModelInfo) => Promise<void>, weightsSource: () => string | undefined,
 *   speeds: () => {cpu: number | null, webgpu: number} | null, backend: () => string | undefined}} deps
 */
export function modelsPanel({ worker, errors, bus, settings, usePretrained, weightsSource, speeds, backend }) {
  const select = /** @type {HTMLSelectElement} */ ($("model"));
  const info = $("model-info");
  /** @type {ModelInfo[]} */
  let catalog = [];

  /** The chosen network's description, with the time a run would take here when Auto has
   * measured the device. */
  function describe() {
    const m = catalog.find((c) => c.name === select.value);
    if (!m) return;
    const seed = catalog.find((c) => c.name === PROBED);
    const measured = speeds();
    const device = backend();
    const seedSpeed = measured && device ? (device === "webgpu" ? measured.webgpu : measured.cpu) : null;
    const parts = [
      `${m.description}.`,
      `${m.parameters.toLocaleString()} parameters, ${mflop(m.train_flops)} to train on one image.`,
      `Reaches about ${(m.expected_accuracy * 100).toFixed(1)}% (${m.accuracy_source}).`,
    ];
    if (seedSpeed && seed) {
      const imagesPerSecond = (seedSpeed * seed.train_flops) / m.train_flops;
      const seconds = (m.defaults.epochs * 50_000) / imagesPerSecond;
      parts.push(`A ${m.defaults.epochs}-epoch run would take about ${duration(seconds)} here (estimated from Auto's measurement of this device).`);
    }
    if (m.tta) parts.push("Classification averages the image, its mirror and two shifted copies.");
    info.replaceChildren(...parts.map((p) => el("span", {}, p)));
    info.dataset.model = m.name;
  }

  /** Put the network's recipe into the form, and its pretrained weights in use. */
  async function choose() {
    const m = catalog.find((c) => c.name === select.value);
    if (!m) return;
    const d = m.defaults;
    settings.apply({
      epochs: String(d.epochs),
      batch_size: String(d.batch_size),
      learning_rate: String(d.learning_rate),
      optimizer: d.optimizer,
      weight_decay: String(d.weight_decay),
      augment: String(d.augment),
    });
    describe();
    const source = weightsSource();
    if (source === "pretrained" || source === "untrained" || source === undefined) {
      try {
        await usePretrained(m);
      } catch (e) {
        errors.show(e);
      }
    }
  }

  async function init() {
    catalog = await worker.request("model_catalog", {});
    const chosen = select.value;
    select.replaceChildren(
      ...catalog.map((m) =>
        el("option", { value: m.name }, `${m.name} (${m.parameters.toLocaleString()} parameters, ~${(m.expected_accuracy * 100).toFixed(0)}%)`),
      ),
    );
    select.value = catalog.some((m) => m.name === chosen) ? chosen : catalog[0].name;
    describe();
  }

  select.addEventListener("change", choose);
  bus.on("training", (on) => (select.disabled = on));
  const ready = init().catch((e) => errors.show(e));
  return { ready, describe };
}
