// The browser's language tag, made acceptable to `Intl` before anything formats with it.
//
// Some browsers report a tag that `Intl` refuses: WebKit under a system locale of `C` says
// `navigator.language` is "C". The vendored uPlot formats numbers with
// `new Intl.NumberFormat(navigator.language)` as its module loads, so such a tag would throw
// there and stop the page before it starts. Imported first by every module that imports uPlot;
// Kiln's own formatting uses its catalogs' tags (www/i18n), not the browser's.

/** @param {string} tag */
function accepted(tag) {
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length > 0 || !!new Intl.NumberFormat(tag);
  } catch {
    return false;
  }
}

if (!accepted(navigator.language)) {
  // The first of the browser's languages that Intl accepts, else English.
  const fallback = (navigator.languages ?? []).find(accepted) ?? "en-US";
  console.warn(`Kiln: the browser's language "${navigator.language}" is not a tag Intl accepts; formatting numbers as ${fallback}`);
  Object.defineProperty(navigator, "language", { value: fallback, configurable: true });
}
