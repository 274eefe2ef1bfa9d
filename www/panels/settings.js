// The training settings form: read into the `TrainingConfig` the engine takes, or refused with
// a message that names the field. Branch `core` moves these checks to the engine
// (`parse_settings`); the form is read here and nowhere else.
import { $ } from "../ui.js";

/** @typedef {import("../protocol.js").TrainingConfig} TrainingConfig */

/** The form's settings; throws an Error naming the first setting that does not work.
 * @returns {TrainingConfig} */
export function readSettings() {
  /** @param {string} id */
  const int = (id) => {
    const v = $(id).value.trim();
    return v === "" ? null : Number.parseInt(v, 10);
  };
  const epochs = int("epochs");
  const batch = int("batch-size");
  const lr = Number.parseFloat($("learning-rate").value);
  if (epochs === null || !(epochs >= 1)) throw new Error(`Epochs must be a whole number of at least 1 (got "${$("epochs").value}")`);
  if (batch === null || !(batch >= 1)) throw new Error(`Batch size must be a whole number of at least 1 (got "${$("batch-size").value}")`);
  if (!(lr > 0)) throw new Error(`Learning rate must be a positive number (got "${$("learning-rate").value}")`);
  /** @type {TrainingConfig["optimizer"]} */
  const optimizer =
    $("optimizer").value === "sgd" ? { kind: "sgd" } : { kind: "adam", beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
  const decay = $("weight-decay").value.trim() === "" ? 0 : Number.parseFloat($("weight-decay").value);
  if (!(decay >= 0 && decay <= 1)) throw new Error(`Weight decay must be a number from 0 to 1 (got "${$("weight-decay").value}")`);
  const patience = int("patience");
  if ($("early-stopping").checked && !(patience !== null && patience >= 1)) {
    throw new Error(`Early stopping patience must be a whole number of epochs, at least 1 (got "${$("patience").value}")`);
  }
  const augment = $("augment").checked;
  return {
    model: { name: $("model").value, activation: $("activation").value },
    augmentation: { flip: augment, crop_padding: augment ? 4 : 0 },
    weight_decay: decay,
    early_stopping: $("early-stopping").checked ? patience : null,
    optimizer,
    epochs,
    batch_size: batch,
    learning_rate: lr,
    train_limit: int("train-limit"),
  };
}

/** "Epochs" as a number of epochs to train a finished run for, or null when it is not one. */
export function moreEpochs() {
  const more = Number.parseInt($("epochs").value, 10);
  return more >= 1 ? more : null;
}

/** Training starts from the weights in use rather than afresh. */
export const fromCurrent = () => /** @type {boolean} */ ($("from-current").checked);

/** A run's name in the saved-runs list: its main settings and when it started.
 * @param {TrainingConfig} config */
export function runName(config) {
  const opt = config.optimizer.kind === "sgd" ? "SGD" : "Adam";
  const limit = config.train_limit ? `, ${config.train_limit.toLocaleString()} images` : "";
  const when = new Date().toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return `${config.model.name} · ${opt} ${config.learning_rate} · batch ${config.batch_size}${limit} · ${when}`;
}
