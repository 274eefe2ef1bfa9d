// The network menu. Each network says what it is before it is picked: its size, its cost per
// image, the accuracy its recipe reaches and how long a run would take on the device in use.
// Picking one puts its recipe's settings into the form and, unless the weights in use are the
// user's own (trained here, saved or loaded), switches to its pretrained weights: loaded when it
// is picked, not before (airbench's are megabytes; the page opens with the seed's).
// The engine's catalog describes each network in English: the page words the networks it knows
// by name (`model.<name>.description`, `model.<name>.accuracy_source`), any other as the engine
// says.
import { $, el } from "../ui.js";
import { fmt, has, onLanguage, say, t } from "../i18n/index.js";

/** @typedef {import("../values.js").ModelInfo} ModelInfo */

/** Where the catalog's figures for the seed came from: Auto's probe times the seed network, so
 * a run of another network is estimated from the two networks' cost per image. */
const PROBED = "seed";

/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 90) return t("model.duration.s", { n: Math.round(seconds) });
  if (seconds < 5400) return t("model.duration.min", { n: Math.round(seconds / 60) });
  return t("model.duration.h", { n: fmt.fixed(seconds / 3600, 1) });
}

/** The catalog's English `field` of network `m`, worded in the language in use where the page
 * knows the network.
 * @param {ModelInfo} m @param {"description" | "accuracy_source"} field */
function catalogText(m, field) {
  const key = `model.${m.name}.${field}`;
  return has(key) ? t(key) : m[field];
}

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus, settings: {apply: (values: Record<string, string>) => void},
 *   usePretrained: (info: ModelInfo) => Promise<void>, weightsSource: () => string | undefined}} deps
 */
export function modelsPanel({ worker, errors, bus, settings, usePretrained, weightsSource }) {
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
    const device = worker.session.device; // Auto's timings of it, when it measured them
    const measured = device?.speeds;
    const seedSpeed = measured ? (device.backend === "webgpu" ? measured.webgpu : measured.cpu) : null;
    const parts = [
      t("model.info.description", { description: catalogText(m, "description") }),
      t("model.info.size", { parameters: m.parameters, mflop: fmt.num(m.train_flops / 1e6, 0) }),
      t("model.info.accuracy", { pct: fmt.pct(m.expected_accuracy, 1), source: catalogText(m, "accuracy_source") }),
    ];
    if (seedSpeed && seed) {
      const imagesPerSecond = (seedSpeed * seed.train_flops) / m.train_flops;
      const seconds = (m.defaults.epochs * 50_000) / imagesPerSecond;
      parts.push(t("model.info.estimate", { epochs: m.defaults.epochs, duration: duration(seconds) }));
    }
    if (m.tta) parts.push(t("model.info.tta"));
    // Sentences apart as the language writes them (a space in English, none after "。").
    info.replaceChildren(...parts.flatMap((p, i) => (i ? [t("model.info.between"), el("span", {}, p)] : [el("span", {}, p)])));
    info.dataset.model = m.name;
  }

  /** Put the network's recipe into the form, and its pretrained weights in use. */
  async function choose() {
    const m = catalog.find((c) => c.name === select.value);
    if (!m) return;
    // The recipe's values by the form's keys, as the engine gives them (`PageDefaults`).
    settings.apply(Object.fromEntries(Object.entries(m.defaults).map(([key, value]) => [key, String(value)])));
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
      ...catalog.map((m) => {
        const option = el("option", { value: m.name });
        say(option, "model.option", { name: m.name, parameters: m.parameters, pct: fmt.pct(m.expected_accuracy, 0) });
        return option;
      }),
    );
    select.value = catalog.some((m) => m.name === chosen) ? chosen : catalog[0].name;
    describe();
  }

  select.addEventListener("change", choose);
  // The options are worded again with the page; the description is composed here.
  onLanguage(describe);
  bus.on("training", (on) => (select.disabled = on));
  bus.on("session", describe); // the estimate follows the device in use
  const ready = init().catch((e) => errors.show(e));
  return { ready, describe };
}
