// The engine's reading of the training form (crate/src/web/settings.rs `parseSettings`), for
// the `parse_settings` request and for `train`, which carries the form itself.
import { kilnModule } from "./builds.js";
import { pageError } from "../words.js";

/** @typedef {import("../values.js").FieldRefusal} FieldRefusal */
/** @typedef {import("../values.js").TrainingConfig} TrainingConfig */

/** The form read: the config, or null and every refused setting (named by its key).
 * @param {Record<string, string>} form
 * @returns {Promise<{config: TrainingConfig | null, fields: FieldRefusal[]}>} */
export async function parseSettings(form) {
  const kiln = await kilnModule();
  try {
    return { config: kiln.parseSettings(form), fields: [] };
  } catch (err) {
    if (!Array.isArray(err?.fields)) throw err;
    return { config: null, fields: /** @type {FieldRefusal[]} */ (err.fields) };
  }
}

/** The config of a form that must be good: a refusal throws `settings_refused` with the
 * refused fields (the page shows each beside its field).
 * @param {Record<string, string>} form
 * @returns {Promise<TrainingConfig>} */
export async function configOf(form) {
  const { config, fields } = await parseSettings(form);
  if (!config) throw pageError("settings_refused", { what: "settings_check", fields: /** @type {any} */ (fields) });
  return config;
}
