// The page's sentences for the codes the engine and the worker send, in one place, worded in
// the language in use (www/i18n). Device reasons come from crate/src/device (`CpuReason`,
// `GpuReason`); error codes from crate/src/error_code.rs and the page's own `PageCode`s.
import { fmt, has, inEnglish, onLanguage, t } from "./i18n/index.js";
import en from "./i18n/en.js";

/** @typedef {import("./values.js").DeviceReason} DeviceReason */
/** @typedef {import("./values.js").DeviceInfo} DeviceInfo */
/** @typedef {import("./values.js").OneThreadReason} OneThreadReason */
/** @typedef {import("./i18n/index.js").Params} Params */
/** @typedef {import("./types/engine/ErrorCode").ErrorCode} EngineCode */
/** @typedef {import("./types/engine/BusyWhat").BusyWhat} BusyWhat */
/** @typedef {import("./types/engine/FieldCode").FieldCode} FieldCode */

/** @param {number | null} speed images per second */
const imgs = (speed) => fmt.fixed(speed ?? 0);

/** Why the device in use was chosen, one sentence per reason code ("" where there is nothing to
 * add). A CPU reason completes "using the CPU because …".
 * @type {{[C in DeviceReason["code"]]: (reason: Extract<DeviceReason, {code: C}>) => string}} */
export const DEVICE_REASONS = {
  chosen: () => "",
  no_webgpu_in_browser: () => t("device.reason.no_webgpu_in_browser"),
  no_adapter: () => t("device.reason.no_adapter"),
  software_adapter: ({ adapter }) => t("device.reason.software_adapter", { adapter: adapter || t("device.reason.fallback_adapter") }),
  no_timestamp_query: ({ adapter }) => t("device.reason.no_timestamp_query", { adapter: adapter || t("device.reason.fallback_adapter") }),
  webgpu_failed: ({ message }) => message,
  build_not_loaded: ({ message }) => t("device.reason.build_not_loaded", { message }),
  cpu_faster: ({ speeds }) => t("device.reason.cpu_faster", { cpu: imgs(speeds.cpu), webgpu: imgs(speeds.webgpu) }),
  faster: ({ speeds }) => t("device.reason.faster", { cpu: imgs(speeds.cpu), webgpu: imgs(speeds.webgpu) }),
  cpu_not_timed: () => t("device.reason.cpu_not_timed"),
};

/** Why the CPU path has one thread, one sentence per code.
 * @type {{[C in OneThreadReason["code"]]: (reason: Extract<OneThreadReason, {code: C}>) => string}} */
const ONE_THREAD_REASONS = {
  threads_off: () => t("device.threads_off"),
  not_isolated: () => t("device.not_isolated"),
  no_shared_memory: () => t("device.no_shared_memory"),
  threads_failed: ({ message }) => `${t("device.threads_failed")}: ${message}`,
  threads_stalled: ({ seconds }) => t("device.threads_stalled", { seconds }),
};

/** The adapter with the CPU path's threads: "burn flex (wasm, 2 threads)", "…, one thread: why".
 * @param {DeviceInfo} info */
function adapterText(info) {
  if (info.threads === null) return info.adapter;
  const why = info.one_thread;
  const word = why && /** @type {(r: OneThreadReason) => string} */ (ONE_THREAD_REASONS[why.code]);
  const threads =
    info.threads > 1 ? t("device.threads", { count: info.threads }) : why && word ? t("device.one_thread_because", { why: word(why) }) : t("device.one_thread");
  const adapter = info.adapter;
  return adapter.endsWith(")") ? `${adapter.slice(0, -1)}, ${threads})` : `${adapter}, ${threads}`;
}

/** The device status line: "CPU: … — using the CPU because …", "WebGPU: … — faster than …".
 * @param {DeviceInfo} info */
export function describeDevice(info) {
  const line = t("device.line", { backend: info.backend === "webgpu" ? "WebGPU" : "CPU", adapter: adapterText(info) });
  const word = /** @type {(reason: DeviceReason) => string} */ (DEVICE_REASONS[info.reason.code]);
  const why = word(info.reason);
  if (!why) return line;
  return t(info.backend === "cpu" ? "device.cpu_because" : "device.webgpu_why", { line, why });
}

/** The codes the page and its worker raise themselves (the engine's are `EngineCode`).
 * @typedef {"settings_refused" | "run_busy" | "run_gone" | "run_training" | "load_dataset_first"
 *   | "webcam" | "image_undecodable" | "image_not_image" | "image_empty" | "image_too_large"
 *   | "download_failed" | "pretrained_missing" | "site.no_checksums" | "site.unreachable"
 *   | "site.status" | "site.dropped" | "site.damaged" | "request_failed" | "engine_dead"
 *   | "engine_restarted" | "engine_replaced" | "gpu_lost" | "gpu_lost_run" | "gpu_lost_run_before"
 *   | "autosave_failed" | "unknown_request" | "test_only" | "device_choice"} PageCode
 */

/** Every code the page words, and the catalog entries that word them: `error.<code>`, a
 * refusal while training by what it refused, a refused setting by its problem.
 * @typedef {Exclude<EngineCode | PageCode, "busy_training">} ErrorCode
 * @typedef {`error.${ErrorCode}` | `error.busy_training.${BusyWhat}` | `field.${FieldCode}`} CodeKey
 */

/** tsc holds the English catalog to every code (and the i18n test the Chinese one to the
 * English): a code raised in Rust or here without its words fails the type check.
 * @type {Record<CodeKey, unknown>} */
const CODE_WORDS = en;

/** An Error the page words itself: `code` names `error.<code>` in the catalogs; the English
 * message stays for the console.
 * @param {PageCode | EngineCode} code @param {Params} [params] */
export function pageError(code, params = {}) {
  const error = /** @type {Error & {code: string, params: Params}} */ (new Error(englishOf(code, params)));
  error.code = code;
  error.params = params;
  return error;
}

/** @param {string} code @param {Params} params */
const englishOf = (code, params) => inEnglish(() => errorText({ code, params, message: code }));

/** An error in the language in use: a coded one (engine, worker or page) from the catalogs,
 * any other by its message.
 * @param {unknown} err */
export function errorText(err) {
  const e = /** @type {any} */ (err);
  const message = e?.message ?? String(err);
  const code = e?.code;
  if (!code) return message;
  /** @type {Params} */
  const params = plainNumbers(e?.params ?? {});
  switch (code) {
    case "busy_training":
      return has(`error.busy_training.${params.what}`) ? t(`error.busy_training.${params.what}`) : message;
    case "train_diverged":
    case "train_failed": {
      const kept = Number(params.kept ?? 0);
      const parts = [t(`error.${code}`, params), kept ? t("error.kept_epoch", { kept }) : t("error.kept_before")];
      if (code === "train_failed") parts.push(t("error.switch_to_cpu"));
      return parts.join(" ");
    }
    case "settings_refused": {
      const list = /** @type {any} */ (params).fields.map(refusalText).join(t("field.list_separator"));
      return t("error.settings_refused", { what: { key: `error.${params.what}` }, list });
    }
  }
  return has(`error.${code}`) ? t(`error.${code}`, params) : message;
}

/** One refused setting, "batch size must be from 1 to 4096".
 * @param {import("./values.js").FieldRefusal} refusal */
export function refusalText(refusal) {
  const name = has(`setting.${refusal.field}`) ? t(`setting.${refusal.field}`) : refusal.field.replaceAll("_", " ");
  return t("field.refusal", { field: name, problem: problemText(refusal) });
}

/** What is wrong with a setting's value, without its name.
 * @param {import("./values.js").FieldRefusal} refusal */
export function problemText(refusal) {
  if (!refusal.code || !has(`field.${refusal.code}`)) return refusal.message;
  return t(`field.${refusal.code}`, plainNumbers(refusal.params ?? {}));
}

/** An error's numbers as the engine wrote them (5000 bytes, a limit of 4096), not grouped.
 * @param {Params} params */
function plainNumbers(params) {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === "number" ? String(v) : v]));
}

/** Show `err` in `element`, worded again when the language changes.
 * @type {WeakMap<HTMLElement, unknown>} */
const shownErrors = new WeakMap();
/** @type {Set<HTMLElement>} */
const errorElements = new Set();
/** @param {HTMLElement} element @param {unknown} err */
export function showError(element, err) {
  shownErrors.set(element, err);
  errorElements.add(element);
  element.textContent = errorText(err);
  return element.textContent;
}
onLanguage(() => {
  for (const element of errorElements) element.textContent = errorText(shownErrors.get(element));
});
