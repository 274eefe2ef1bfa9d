// The page's two languages, 简体中文 and English: one flat catalog per language (en.js,
// zh-CN.js), `t(key, params)` to word a key, the browser's `Intl` for numbers, percentages and
// dates. The language comes from the choice remembered in this browser, else the browser's
// languages (any `zh*`: Chinese, otherwise English). Switching is live: every element worded
// with `say` (or marked `data-i18n` in index.html) is worded again, and the panels that draw
// tables, charts or sentences of their own redraw from what they hold (`onLanguage`).
import en from "./en.js";
import zhCN from "./zh-CN.js";

/** @typedef {"en" | "zh-CN"} Lang */
/** @typedef {string | {one?: string, other: string}} Entry a text, or one per plural category */
/** @typedef {Record<string, Entry>} Catalog */
/** @typedef {string | number | null | undefined | {key: string, params?: Params}} Param a value,
 *  or a key worded in the current language */
/** @typedef {Record<string, Param>} Params */

/** @type {Record<Lang, Catalog>} */
export const CATALOGS = { en, "zh-CN": zhCN };
export const LANGUAGES = /** @type {Lang[]} */ (Object.keys(CATALOGS));
const STORAGE_KEY = "kiln-language";

/** The language to start in: the remembered choice, else the browser's first language we speak.
 * @returns {Lang} */
function initialLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {}
  if (saved === "en" || saved === "zh-CN") return saved;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    if (/^zh\b/i.test(tag)) return "zh-CN";
    if (/^en\b/i.test(tag)) return "en";
  }
  return "en";
}

/** @type {Lang} */
let current = initialLanguage();
/** @type {(() => void)[]} */
const listeners = [];

/** The language in use. */
export const language = () => current;

/** Call `listener` whenever the language changes (after the marked elements are reworded).
 * @param {() => void} listener */
export function onLanguage(listener) {
  listeners.push(listener);
}

/** Switch to `lang` at once, remember it, and reword the page.
 * @param {Lang} lang */
export function setLanguage(lang) {
  if (!(lang in CATALOGS)) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {}
  translatePage();
  for (const listener of listeners) listener();
}

/** @param {Intl.NumberFormatOptions} options */
const numberFormat = (options) => new Intl.NumberFormat(current, options);

/** Numbers, shares and dates as the language writes them. */
export const fmt = {
  /** A count or measure, grouped, with at most `digits` decimals.
   * @param {number} n */
  num: (n, digits = 3) => numberFormat({ maximumFractionDigits: digits }).format(n),
  /** A number with exactly `digits` decimals and no grouping (figures that tests read back).
   * @param {number} n */
  fixed: (n, digits = 0) => numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(n),
  /** A size in bytes as megabytes with one decimal ("12.3 MB").
   * @param {number} bytes */
  mb: (bytes) => t("size.mb", { n: fmt.fixed(bytes / 1e6, 1) }),
  /** A share (0..1) as a percentage with `digits` decimals; "–" when there is none.
   * @param {number | null | undefined} share */
  pct: (share, digits = 2) =>
    share == null ? "–" : numberFormat({ style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share),
  /** A date and time.
   * @param {number | Date} when @param {Intl.DateTimeFormatOptions} options */
  date: (when, options = { dateStyle: "medium", timeStyle: "short" }) => new Intl.DateTimeFormat(current, options).format(when),
};

/** A parameter as text: whole numbers grouped as the language writes them (others as they
 * are: a learning rate keeps all its digits), keys worded.
 * @param {Param} value
 * @returns {string} */
function paramText(value) {
  if (value == null) return "";
  if (typeof value === "number") return Number.isInteger(value) ? fmt.num(value) : String(value);
  if (typeof value === "object") return t(value.key, value.params);
  return String(value);
}

/** Whether `key` is in the catalogs.
 * @param {string} key */
export const has = (key) => key in CATALOGS.en;

/** The text of `key` in the language in use, `{name}`s replaced by `params`; a plural entry
 * picks its form by `params.count`. An unknown key reads as itself (and says so in the console).
 * @param {string} key @param {Params} [params]
 * @returns {string} */
export const t = (key, params = {}) => word(current, key, params);

/** What `wording` says in English, whatever the language in use (an error's message for the
 * console and for code that reads `error.message`).
 * @param {() => string} wording */
export function inEnglish(wording) {
  const was = current;
  current = "en";
  try {
    return wording();
  } finally {
    current = was;
  }
}

/** @param {Lang} lang @param {string} key @param {Params} params
 * @returns {string} */
function word(lang, key, params) {
  let entry = CATALOGS[lang][key] ?? CATALOGS.en[key];
  if (entry == null) {
    console.warn(`i18n: no text for ${key}`);
    return key;
  }
  if (typeof entry === "object") {
    const count = Number(params.count ?? 0);
    const form = /** @type {"one" | "other"} */ (new Intl.PluralRules(lang).select(count));
    entry = entry[form] ?? entry.other;
  }
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? paramText(params[name]) : whole));
}

/** Word `element` with `key` now and after every switch of language.
 * @param {HTMLElement} element @param {string} key @param {Params} [params] */
export function say(element, key, params = {}) {
  element.dataset.i18n = key;
  element.dataset.i18nParams = JSON.stringify(params);
  element.textContent = t(key, params);
}

/** Show `text` as it is (a name, a message the page cannot word), in place of any wording.
 * @param {HTMLElement} element @param {string} text */
export function sayRaw(element, text) {
  delete element.dataset.i18n;
  delete element.dataset.i18nParams;
  element.textContent = text;
}

/** Word every marked element: `data-i18n` (its text), `data-i18n-attr` ("title:key,aria-label:key"). */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const el = /** @type {HTMLElement} */ (element);
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : {};
    el.textContent = t(/** @type {string} */ (el.dataset.i18n), params);
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of /** @type {string} */ (/** @type {HTMLElement} */ (element).dataset.i18nAttr).split(",")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      element.setAttribute(attr, t(key));
    }
  }
  document.title = t("page.title");
}

/** The ten CIFAR-10 classes as the engine names them. */
export const CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

/** One class' name in the language in use: one of CIFAR-10's ten is translated, any other
 * (a user's own meta file) is shown as given.
 * @param {string} name */
export const className = (name) => (CIFAR_CLASSES.includes(name) ? t(`class.${name}`) : name);

/** A dataset's class names for display: the standard CIFAR-10 list translated, a list from a
 * user's own meta file as given.
 * @param {string[]} names */
export function classNames(names) {
  const standard = names.length === CIFAR_CLASSES.length && names.every((n, i) => n === CIFAR_CLASSES[i]);
  return standard ? names.map(className) : names;
}
