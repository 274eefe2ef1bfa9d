// CIFAR-10 from the site itself: data/manifest.json names the files `./build.sh site --data`
// put beside the page (one .tar.gz per batch, with sizes and SHA-256). They are fetched one
// after another, each checked against its checksum, and kept in this browser (Cache Storage)
// so that a later visit, online or not, reads them from there.

/** @typedef {{name: string, size: number, sha256: string, tar_size?: number, tar_sha256?: string, images?: number}} SiteFile */
/** @typedef {{dataset: string, source?: string, files: SiteFile[]}} SiteManifest */
/** @typedef {{index: number, done: number, total: number, state: "fetching" | "verified" | "kept"}} FileProgress */

import { fmt } from "./i18n/index.js";
import { pageError } from "./words.js";

/** The dataset's cache: not tied to a version of the site (www/sw.js deletes only its own). */
export const DATA_CACHE = "kiln-data";
const MANIFEST = "data/manifest.json";

/** @param {string} name */
const dataUrl = (name) => new URL(`data/${name}`, location.href).href;

/** Cache Storage, where the browser offers it (not on a plain-http page). */
const cacheOpen = () => (self.caches ? caches.open(DATA_CACHE) : Promise.resolve(null));

/** The site's dataset manifest: from the site, else the copy kept with the dataset (offline).
 * Null when the site has none; throws when the site cannot be reached and none was kept.
 * @returns {Promise<SiteManifest | null>} */
export async function siteManifest() {
  const cache = await cacheOpen().catch(() => null);
  let response;
  try {
    response = await fetch(MANIFEST, { cache: "no-cache" });
  } catch (e) {
    response = await cache?.match(dataUrl("manifest.json"));
    if (!response) throw e;
  }
  if (!response?.ok) return null;
  const manifest = await response.clone().json().catch(() => null);
  if (!Array.isArray(manifest?.files) || manifest.files.length === 0) return null;
  return manifest;
}

/** Lower-case hex SHA-256 of `buffer`.
 * @param {ArrayBuffer} buffer */
async function sha256(buffer) {
  if (!crypto.subtle) throw pageError("site.no_checksums");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `buffer` is `file` as the manifest describes it: its gzip file, or the tar inside
 * when a host sent it decompressed (Content-Encoding: gzip).
 * @param {ArrayBuffer} buffer @param {SiteFile} file */
async function matches(buffer, file) {
  const digest = await sha256(buffer);
  return digest === file.sha256 || (file.tar_sha256 !== undefined && digest === file.tar_sha256);
}

/** Read a response's body, reporting bytes as they arrive.
 * @param {Response} response @param {(done: number) => void} onBytes */
async function readBody(response, onBytes) {
  if (!response.body) return response.arrayBuffer();
  const reader = response.body.getReader();
  const chunks = [];
  let done = 0;
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    chunks.push(value);
    done += value.length;
    onBytes(done);
  }
  const out = new Uint8Array(done);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out.buffer;
}

/**
 * Every file of `manifest`, in order: from `held` (fetched by an earlier try), from the cache,
 * else from the site; each checked against its SHA-256, then kept in `held` and in the cache.
 * A failure throws a message naming the file and what went wrong; the files fetched before it
 * stay in `held`, so a retry fetches only the rest.
 * @param {SiteManifest} manifest
 * @param {Map<string, ArrayBuffer>} held
 * @param {(progress: FileProgress) => void} onFile
 * @returns {Promise<{name: string, buffer: ArrayBuffer}[]>}
 */
export async function fetchSiteDataset(manifest, held, onFile) {
  const cache = await cacheOpen().catch(() => null);
  for (const [index, file] of manifest.files.entries()) {
    const url = dataUrl(file.name);
    const report = (/** @type {number} */ done, /** @type {FileProgress["state"]} */ state) =>
      onFile({ index, done, total: file.size, state });
    if (held.has(file.name)) {
      report(file.size, "verified");
      continue;
    }
    const kept = await cache?.match(url);
    if (kept) {
      const buffer = await kept.arrayBuffer();
      if (await matches(buffer, file)) {
        held.set(file.name, buffer);
        report(file.size, "kept");
        continue;
      }
      await cache?.delete(url); // a stale copy: fetch it again
    }
    held.set(file.name, await fetchOne(url, file, (done) => report(done, "fetching")));
    report(file.size, "verified");
    // Kept once verified; a full disk costs the offline copy, not the load.
    await cache
      ?.put(url, new Response(held.get(file.name), { headers: { "Content-Type": "application/gzip", "Content-Length": String(file.size) } }))
      .catch(() => {});
  }
  const manifestResponse = await fetch(MANIFEST, { cache: "no-cache" }).catch(() => null);
  if (manifestResponse?.ok) await cache?.put(dataUrl("manifest.json"), manifestResponse).catch(() => {});
  return manifest.files.map((f) => ({ name: f.name, buffer: /** @type {ArrayBuffer} */ (held.get(f.name)) }));
}

/** One file from the site, checked.
 * @param {string} url @param {SiteFile} file @param {(done: number) => void} onBytes */
async function fetchOne(url, file, onBytes) {
  const where = `data/${file.name}`;
  let response;
  try {
    // Past the HTTP cache: the verified copy is kept in Cache Storage, and a damaged one must
    // not come back from there on a retry.
    response = await fetch(url, { cache: "no-store" });
  } catch {
    throw pageError("site.unreachable", { file: where });
  }
  if (!response.ok) throw pageError("site.status", { file: where, status: response.status });
  let buffer;
  try {
    buffer = await readBody(response, onBytes);
  } catch {
    throw pageError("site.dropped", { file: where });
  }
  if (!(await matches(buffer, file))) {
    throw pageError("site.damaged", { file: where, received: fmt.mb(buffer.byteLength), expected: fmt.mb(file.size) });
  }
  return buffer;
}

/** How much of the dataset this browser keeps: bytes and files.
 * @returns {Promise<{bytes: number, files: number}>} */
export async function keptDataset() {
  const cache = await cacheOpen().catch(() => null);
  let bytes = 0;
  let files = 0;
  for (const request of (await cache?.keys()) ?? []) {
    if (request.url.endsWith("/manifest.json")) continue;
    const response = await cache?.match(request);
    bytes += Number(response?.headers.get("content-length")) || 0;
    files += 1;
  }
  return { bytes, files };
}

/** Forget the kept dataset. */
export async function removeKeptDataset() {
  if (self.caches) await caches.delete(DATA_CACHE);
}
