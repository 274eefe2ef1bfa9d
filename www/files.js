// Reading the dataset: files (picker or drop) or a URL, with progress, into ArrayBuffers that
// are handed (not copied) to the worker.

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

/** @param {number} n bytes */
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

/** The file at `url`; the error names the URL and what went wrong, and nothing is kept of a
 * download that failed.
 * @param {string} url @param {OnProgress} onProgress
 * @returns {Promise<NamedBuffer[]>} */
export async function fetchDataset(url, onProgress) {
  const fail = (/** @type {string} */ why) => new Error(`Could not load the dataset from ${url}: ${why}`);
  let target;
  try {
    target = new URL(url, location.href);
  } catch {
    throw fail("this is not a web address.");
  }
  // The page's policy (connect-src 'self' https:) lets it read only its own site and https.
  if (target.origin !== location.origin && target.protocol !== "https:") {
    throw fail("the page downloads only from its own site or from https:// addresses.");
  }
  let response;
  try {
    response = await fetch(target);
  } catch {
    // The browser does not say which (on purpose): the two look the same to the page.
    throw fail(
      "the server could not be reached, or it does not allow other sites to read the file (no CORS header). " +
        "Check the address, or download the file and choose it with “choose files”.",
    );
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (!response.ok) throw fail(`the server answered ${status}.`);
  if (!response.body) throw fail(`the server answered ${status} without a body.`);
  const length = Number(response.headers.get("content-length")) || 0;
  let received = 0;
  let buffer;
  try {
    buffer = await readStream(response.body, length, (done, total) => {
      received = done;
      onProgress(done, total);
    });
  } catch {
    const of = length ? ` of ${mb(length)}` : "";
    throw fail(`the connection dropped after ${mb(received)}${of}. Nothing was loaded; try again.`);
  }
  // A server that closes early without an error: fewer bytes than it announced.
  if (length && !response.headers.get("content-encoding") && received < length) {
    throw fail(`the connection dropped after ${mb(received)} of ${mb(length)}. Nothing was loaded; try again.`);
  }
  const name = target.pathname.split("/").pop() || "dataset";
  return [{ name, buffer }];
}
