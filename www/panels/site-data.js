// Section 1's "Load CIFAR-10 from this site": the files `./build.sh site --data` published
// beside the page (www/site-data.js fetches, checks and keeps them), with each file's progress
// and a retry that keeps what was fetched. On a site without them, where to get the dataset.
import { fetchSiteDataset, mb, siteManifest } from "../site-data.js";
import { $, el } from "../ui.js";

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
    const button = el("button", { type: "button", textContent: `Load CIFAR-10 from this site (${mb(total)}, ${manifest.files.length} files)` });
    button.dataset.testid = "site-data-load";
    const overall = el("span", { className: "hint" });
    overall.dataset.testid = "site-data-overall";
    const rows = manifest.files.map((f) => {
      const bar = el("progress", { max: 1, value: 0 });
      const text = el("span", { className: "hint", textContent: `${mb(f.size)} · waiting` });
      const row = el("li", null, el("code", { textContent: f.name }), " ", bar, " ", text);
      row.dataset.state = "waiting";
      return { row, bar, text };
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
            const { row, bar, text } = rows[index];
            bar.value = size ? bytes / size : 1;
            const verb = { fetching: "fetching", verified: "checksum verified", kept: "kept in this browser, verified" }[state];
            text.textContent = `${mb(bytes)} / ${mb(size)} · ${verb}`;
            row.dataset.state = state;
            if (state !== "fetching") failedAt = index + 1;
            const sum = done.reduce((a, b) => a + b, 0);
            overall.textContent = `${mb(sum)} / ${mb(total)} · file ${Math.min(index + 1, rows.length)} of ${rows.length}`;
            onProgress(sum, total);
          }),
        "data.phase.downloading",
      );
      // Buffers handed to the worker are gone from here (the cache still has them).
      for (const [name, buffer] of held) if (buffer.byteLength === 0) held.delete(name);
      if (ok) {
        held.clear();
        button.textContent = "Load CIFAR-10 from this site again";
      } else {
        const failed = rows[failedAt];
        if (failed) {
          failed.row.dataset.state = "failed";
          failed.text.textContent = `${failed.text.textContent.replace(/ · .*$/, "")} · failed`;
        }
        button.textContent = held.size
          ? `Retry (keeps the ${held.size} file${held.size === 1 ? "" : "s"} already fetched)`
          : "Retry";
      }
      button.disabled = false;
      onKept();
    };
    box.replaceChildren(el("p", null, button, " ", overall), list);
    box.hidden = false;
  }

  function explain() {
    const link = el("a", { href: OFFICIAL, target: "_blank", rel: "noopener", textContent: "the CIFAR-10 page" });
    const text = el(
      "p",
      { className: "hint" },
      "This site does not host the dataset. Download the official “CIFAR-10 binary version” ",
      "(cifar-10-binary.tar.gz, 162 MB) from ",
      link,
      ", then drop it here or choose it with “choose files”.",
    );
    text.dataset.testid = "site-data-missing";
    box.replaceChildren(text);
    box.hidden = false;
  }

  function unreachable() {
    const text = el("p", { className: "hint", textContent: "The site could not be reached to look for its copy of the dataset (offline?): reload when online, or drop the archive here." });
    text.dataset.testid = "site-data-unreachable";
    box.replaceChildren(text);
    box.hidden = false;
  }

  siteManifest().then((manifest) => (manifest ? offer(manifest) : explain()), unreachable);
}
