// Reading the dataset: files (picker or drop) or a URL, with progress, into ArrayBuffers that
// are handed (not copied) to the worker.

import { fmt } from "./i18n/index.js";
import { pageError } from "./words.js";

/** @typedef {(done: number, total: number) => void} OnProgress bytes read so far, of all */
/** @typedef {{name: string, buffer: ArrayBuffer}} NamedBuffer */

/** Read a stream of known length into one buffer, reporting progress.
 * @param {ReadableStream<Uint8Array>} stream @param {number} length 0 when unknown
 * @param {OnProgress} onProgress
 * @returns {Promise<ArrayBuffer>} */
async function readStream(stream, length, onProgress) {
  const reader = stream.getReader();
  let buffer = length > 0 ? new Uint8Array(length) : null;
  const chunks = [];
  let done = 0;
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    if (buffer && done + value.length <= buffer.length) buffer.set(value, done);
    else chunks.push(value);
    done += value.length;
    onProgress(done, length);
  }
  if (buffer && chunks.length === 0) return buffer.buffer.slice(0, done);
  // Unknown or wrong length: assemble the chunks.
  const out = new Uint8Array(done);
  let offset = 0;
  if (buffer) {
    const head = Math.min(buffer.length, done);
    out.set(buffer.subarray(0, head));
    offset = head;
  }
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out.buffer;
}

/** The files a user chose or dropped.
 * @param {FileList | File[]} fileList @param {OnProgress} onProgress
 * @returns {Promise<NamedBuffer[]>} */
export async function readFiles(fileList, onProgress) {
  const files = [...fileList];
  const total = files.reduce((n, f) => n + f.size, 0);
  let before = 0;
  const out = [];
  for (const file of files) {
    const buffer = await readStream(file.stream(), file.size, (done) => onProgress(before + done, total));
    before += file.size;
    out.push({ name: file.name, buffer });
  }
  return out;
}


/** The file at `url`; the error names the URL and what went wrong, and nothing is kept of a
 * download that failed.
 * @param {string} url @param {OnProgress} onProgress
 * @returns {Promise<NamedBuffer[]>} */
export async function fetchDataset(url, onProgress) {
  /** The download's failure, worded by www/words.js: `error.download.<why>`.
   * @param {string} why @param {import("./i18n/index.js").Params} [params] */
  const fail = (why, params = {}) => pageError("download_failed", { url, why: { key: `error.download.${why}`, params } });
  let target;
  try {
    target = new URL(url, location.href);
  } catch {
    throw fail("not_an_address");
  }
  // The page's policy (connect-src 'self' https:) lets it read only its own site and https.
  if (target.origin !== location.origin && target.protocol !== "https:") {
    throw fail("not_https");
  }
  let response;
  try {
    response = await fetch(target);
  } catch {
    // The browser does not say which (on purpose): the two look the same to the page.
    throw fail("unreachable");
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (!response.ok) throw fail("status", { status });
  if (!response.body) throw fail("no_body", { status });
  const length = Number(response.headers.get("content-length")) || 0;
  let received = 0;
  let buffer;
  try {
    buffer = await readStream(response.body, length, (done, total) => {
      received = done;
      onProgress(done, total);
    });
  } catch {
    if (length) throw fail("dropped_of", { received: fmt.mb(received), length: fmt.mb(length) });
    throw fail("dropped", { received: fmt.mb(received) });
  }
  // A server that closes early without an error: fewer bytes than it announced.
  if (length && !response.headers.get("content-encoding") && received < length) {
    throw fail("dropped_of", { received: fmt.mb(received), length: fmt.mb(length) });
  }
  const name = target.pathname.split("/").pop() || "dataset";
  return [{ name, buffer }];
}
