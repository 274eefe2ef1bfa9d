// Section 1's "Load CIFAR-10 from this site": the files `./build.sh site --data` published
// beside the page (www/site-data.js fetches, checks and keeps them), with each file's progress
// and a retry that keeps what was fetched. On a site without them, where to get the dataset.
import { fetchSiteDataset, siteManifest } from "../site-data.js";
import { $, el } from "../ui.js";
import { fmt, onLanguage, say, t } from "../i18n/index.js";

/** @typedef {import("../site-data.js").SiteManifest} SiteManifest */
/** @typedef {(getFiles: (onProgress: (done: number, total: number) => void) => Promise<{name: string, buffer: ArrayBuffer}[]>, phase?: string) => Promise<boolean>} Load */

const OFFICIAL = "https://www.cs.toronto.edu/~kriz/cifar.html";

/** @param {{load: Load, onKept: () => void}} deps */
export function siteDataPanel({ load, onKept }) {
  const box = $("site-data");
  /** Files fetched by an earlier try that failed later on: a retry starts after them. */
  const held = new Map();

  /** @param {SiteManifest} manifest */
  function offer(manifest) {
    const total = manifest.files.reduce((n, f) => n + f.size, 0);
    const button = el("button", { type: "button" });
    say(button, "site.load", { size: fmt.mb(total), count: manifest.files.length });
    button.dataset.testid = "site-data-load";
    const overall = el("span", { className: "hint" });
    overall.dataset.testid = "site-data-overall";
    const rows = manifest.files.map((f) => {
      const bar = el("progress", { max: 1, value: 0 });
      const text = el("span", { className: "hint" });
      say(text, "site.file_waiting", { size: fmt.mb(f.size) });
      const row = el("li", null, el("code", { textContent: f.name }), " ", bar, " ", text);
      row.dataset.state = "waiting";
      /** What the row's line says: bytes fetched of the file's size. */
      const progress = { done: fmt.mb(0), total: fmt.mb(f.size) };
      return { row, bar, text, progress };
    });
    const list = el("ol", { className: "site-files", hidden: true }, ...rows.map((r) => r.row));
    list.dataset.testid = "site-data-files";

    button.onclick = async () => {
      button.disabled = true;
      list.hidden = false;
      /** @type {number[]} */
      const done = manifest.files.map(() => 0);
      let failedAt = 0;
      const ok = await load(
        (onProgress) =>
          fetchSiteDataset(manifest, held, ({ index, done: bytes, total: size, state }) => {
            failedAt = index;
            done[index] = bytes;
            const { row, bar, text, progress } = rows[index];
            bar.value = size ? bytes / size : 1;
            progress.done = fmt.mb(bytes);
            progress.total = fmt.mb(size);
            say(text, "site.file_progress", { ...progress, state: { key: `site.state.${state}` } });
            row.dataset.state = state;
            if (state !== "fetching") failedAt = index + 1;
            const sum = done.reduce((a, b) => a + b, 0);
            say(overall, "site.overall", { done: fmt.mb(sum), total: fmt.mb(total), index: Math.min(index + 1, rows.length), count: rows.length });
            onProgress(sum, total);
          }),
        "data.phase.downloading",
      );
      // Buffers handed to the worker are gone from here (the cache still has them).
      for (const [name, buffer] of held) if (buffer.byteLength === 0) held.delete(name);
      if (ok) {
        held.clear();
        say(button, "site.load_again");
      } else {
        const failed = rows[failedAt];
        if (failed) {
          failed.row.dataset.state = "failed";
          say(failed.text, "site.file_progress", { ...failed.progress, state: { key: "site.state.failed" } });
        }
        if (held.size) say(button, "site.retry_keeps", { count: held.size });
        else say(button, "site.retry");
      }
      button.disabled = false;
      onKept();
    };
    box.replaceChildren(el("p", null, button, " ", overall), list);
    box.hidden = false;
  }

  /** Where to get the dataset, the link where the language puts it; worded again on a switch. */
  function explain() {
    const link = el("a", { href: OFFICIAL, target: "_blank", rel: "noopener" });
    say(link, "site.missing_link");
    const [before, after = ""] = t("site.missing").split("{link}");
    const text = el("p", { className: "hint" }, before, link, after);
    text.dataset.testid = "site-data-missing";
    box.replaceChildren(text);
    box.hidden = false;
  }
  onLanguage(() => box.querySelector('[data-testid="site-data-missing"]') && explain());

  function unreachable() {
    const text = el("p", { className: "hint" });
    say(text, "site.unreachable");
    text.dataset.testid = "site-data-unreachable";
    box.replaceChildren(text);
    box.hidden = false;
  }

  siteManifest().then((manifest) => (manifest ? offer(manifest) : explain()), unreachable);
}
