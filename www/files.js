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

/** The file at `url`; the error names the URL and what went wrong.
 * @param {string} url @param {OnProgress} onProgress
 * @returns {Promise<NamedBuffer[]>} */
export async function fetchDataset(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`${url}: could not be fetched (${e.message})`);
  }
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
  if (!response.body) throw new Error(`${url}: the server answered ${response.status} without a body`);
  const length = Number(response.headers.get("content-length")) || 0;
  const buffer = await readStream(response.body, length, onProgress);
  const name = new URL(url, location.href).pathname.split("/").pop() || "dataset";
  return [{ name, buffer }];
}
