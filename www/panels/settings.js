// The training settings form. Its defaults and limits come from the engine, where every
// setting is declared once (crate/src/train/settings.rs, asked for with `training_settings`).
// On Train the form's text goes to the engine as it is (`train`; `parse_settings` for a finished
// run's more epochs), which checks it and says what is wrong with each field, shown next to that
// field. The form round-trips through the URL hash (`#epochs=20&batch_size=64&…`), so that a
// link reproduces a run's setup.
import { $ } from "../ui.js";
import { fmt, onLanguage, t } from "../i18n/index.js";
import { problemText } from "../words.js";

/** @typedef {import("../values.js").TrainingConfig} TrainingConfig */
/** @typedef {import("../values.js").SettingDescription} SettingDescription */
/** @typedef {import("../values.js").FieldRefusal} FieldRefusal */

/** The input of the setting `key`: its id is the key with hyphens (`batch_size`: `batch-size`).
 * @param {string} key
 * @returns {HTMLInputElement} */
const input = (key) => /** @type {HTMLInputElement} */ ($(key.replaceAll("_", "-")));

/** @param {HTMLInputElement} field */
const isCheckbox = (field) => field.type === "checkbox";

/** The form's text by key: a checkbox as "true" or "false", any other field as typed.
 * @param {string[]} keys
 * @returns {Record<string, string>} */
function formText(keys) {
  return Object.fromEntries(
    keys.map((key) => {
      const field = input(key);
      return [key, isCheckbox(field) ? String(field.checked) : field.value];
    }),
  );
}

/** Set a field from text (a default, or a value from the URL hash).
 * @param {string} key
 * @param {string} text */
function setText(key, text) {
  const field = input(key);
  if (isCheckbox(field)) field.checked = text === "true";
  else field.value = text;
}

/** The element that shows why a setting was refused, made beside its field the first time.
 * @param {string} key */
function refusalOf(key) {
  const existing = document.querySelector(`.field-error[data-field="${key}"]`);
  if (existing) return /** @type {HTMLElement} */ (existing);
  const span = document.createElement("span");
  span.className = "field-error";
  span.dataset.field = key;
  span.dataset.testid = `field-error-${key}`;
  const field = input(key);
  (field.closest("label") ?? field).after(span);
  return span;
}

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors}} deps
 */
export function settingsPanel({ worker, errors }) {
  /** The settings the engine declares, once it has said. @type {SettingDescription[]} */
  let settings = [];
  const keys = () => settings.map((s) => s.key);
  /** @type {FieldRefusal[]} the refusals shown, worded again in another language */
  let shown = [];
  onLanguage(() => {
    showRefusals(shown);
    for (const s of settings) if (s.default === null) input(s.key).placeholder = t("train.all");
  });

  /** Show each refusal next to its field, and clear the others.
   * @param {FieldRefusal[]} refusals */
  function showRefusals(refusals) {
    shown = refusals;
    for (const key of keys()) {
      const refusal = refusals.find((r) => r.field === key);
      refusalOf(key).textContent = refusal ? problemText(refusal) : "";
      if (refusal) input(key).setAttribute("aria-invalid", "true");
      else input(key).removeAttribute("aria-invalid");
    }
  }

  /** Write the whole form into the URL hash, without a history entry per change. */
  function writeHash() {
    const hash = new URLSearchParams(formText(keys())).toString();
    history.replaceState(null, "", `#${hash}`);
    showScheduleParameters();
  }

  /** Show only the parameters the chosen learning-rate schedule uses (the engine reads no
   * others). */
  function showScheduleParameters() {
    const schedule = input("lr_schedule").value;
    const labels = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-schedules]"));
    for (const label of labels) label.hidden = !(label.dataset.schedules ?? "").split(" ").includes(schedule);
  }

  /** Fill the form from the URL hash; settings it does not name keep their values. */
  function readHash() {
    const values = new URLSearchParams(location.hash.slice(1));
    for (const key of keys()) {
      const text = values.get(key);
      if (text !== null) setText(key, text);
    }
    showScheduleParameters();
  }

  /** Draw the form from the engine's declarations: limits, defaults, then the URL's values. */
  async function init() {
    settings = await worker.request("training_settings", {});
    for (const s of settings) {
      const field = input(s.key);
      if (s.kind === "int" || s.kind === "float") {
        if (s.min !== null) field.min = String(s.min);
        if (s.max !== null) field.max = String(s.max);
        field.step = s.kind === "int" ? "1" : "any";
      }
      if (s.default === null) field.placeholder = t("train.all");
      setText(s.key, s.default === null ? "" : String(s.default));
      refusalOf(s.key);
      field.addEventListener("change", writeHash);
      field.addEventListener("input", writeHash);
    }
    readHash();
    addEventListener("hashchange", readHash);
    // The form's values are in: whatever shows them (the learning panels) can draw.
    $("train-form").dispatchEvent(new Event("change"));
  }
  // Until the engine has answered, nothing is read; if it cannot, Train says why.
  const ready = init();
  ready.catch((e) => errors.show(e));

  /** Ask the engine to check `form`; its refusals are shown beside their fields, and thrown
   * as one `settings_refused` Error whose sentence starts with `what` (www/words.js).
   * @param {Record<string, string>} form
   * @param {"settings_check" | "settings_more"} what
   * @returns {Promise<TrainingConfig>} */
  async function parse(form, what) {
    await ready;
    try {
      const config = await worker.request("parse_settings", { form, what });
      showRefusals([]);
      return config;
    } catch (e) {
      showRefused(e);
      throw e;
    }
  }

  /** Show the refusals of a `settings_refused` error beside their fields; false when `err`
   * is another error.
   * @param {unknown} err */
  function showRefused(err) {
    const e = /** @type {any} */ (err);
    if (e?.code !== "settings_refused" || !Array.isArray(e.params?.fields)) return false;
    showRefusals(e.params.fields);
    return true;
  }

  return {
    /** Set fields by key (a network's recipe), as if typed; keys the form lacks are ignored.
     * @param {Record<string, string>} values */
    apply: (values) => {
      for (const [key, text] of Object.entries(values)) if (keys().includes(key)) setText(key, text);
      writeHash();
    },
    /** The form's text by key, for `train` (the engine reads and checks it there). */
    text: async () => {
      await ready;
      return formText(keys());
    },
    /** Show the refusals of a `settings_refused` error beside their fields; false when `err`
     * is another error. */
    showRefused,
    /** Clear the refusals shown (a run was accepted). */
    clearRefused: () => showRefusals([]),
    /** "Epochs" as a number of epochs to train a finished run for (checked by the engine). */
    moreEpochs: async () => {
      const form = { epochs: input("epochs").value };
      return (await parse(form, "settings_more")).epochs;
    },
    /** Training starts from the weights in use rather than afresh. */
    fromCurrent: () => /** @type {boolean} */ ($("from-current").checked),
  };
}

/** A run's name in the saved-runs list: its main settings (as the form gives them) and when it
 * started.
 * @param {Record<string, string>} form */
export function runName(form) {
  const optimizer = { sgd: "SGD", nesterov: "Nesterov", adam: "Adam" }[form.optimizer] ?? form.optimizer;
  const limit = form.train_limit ? t("runs.name_limit", { count: Number(form.train_limit) }) : "";
  const when = fmt.date(new Date());
  return t("runs.name", { model: form.model, optimizer, rate: form.learning_rate, batch: form.batch_size, limit, when });
}
