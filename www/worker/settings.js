// The engine's reading of the training form (crate/src/web/settings.rs `parseSettings`), for
// the `parse_settings` request and for `train`, which carries the form itself.
import { kilnModule } from "./builds.js";
import { pageError } from "../words.js";

/** @typedef {import("../values.js").FieldRefusal} FieldRefusal */
/** @typedef {import("../values.js").TrainingConfig} TrainingConfig */

/** The form read by the engine. A refusal throws `settings_refused` with every refused setting,
 * named by its key (the page shows each beside its field); `what` names the check in its
 * sentence (`error.settings_check`, `error.settings_more`).
 * @param {Record<string, string>} form
 * @param {"settings_check" | "settings_more"} [what]
 * @returns {Promise<TrainingConfig>} */
export async function configOf(form, what = "settings_check") {
  const kiln = await kilnModule();
  try {
    return kiln.parseSettings(form);
  } catch (err) {
    if (!Array.isArray(err?.fields)) throw err;
    throw pageError("settings_refused", { what, fields: /** @type {any} */ (err.fields) });
  }
}
