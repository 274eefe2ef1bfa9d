// The static site's build steps that need more than a shell (Node's standard library only).
//
//   node scripts/site.mjs stamp DIR           write DIR/sw.js from www/sw.js with the site's
//                                              version (a hash of DIR's files) and file lists
//   node scripts/site.mjs data ARCHIVE DIR    the CIFAR-10 batches of ARCHIVE (the official
//                                              cifar-10-binary.tar.gz) as DIR/data/: one small
//                                              .tar.gz per batch and manifest.json
//
// The dataset files are gzipped tars of one batch each, a format the engine's loader already
// reads (crate/src/data/collector.rs), each ~28 MB: under the per-file limits of static hosts.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");
const sha256 = (/** @type {Buffer} */ bytes) => createHash("sha256").update(bytes).digest("hex");

/** Write `file` whole or not at all (a new inode: a hard-linked copy of dist/ keeps its own). */
function writeAtomically(file, bytes) {
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
}

/** Every file under `dir`, as paths relative to it with `/`, sorted. */
function walk(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

// Which engine build a file belongs to, by its folder (scripts/wasm.sh).
const BUILD_DIRS = { gpu: "pkg/", cpu: "pkg-cpu/", threads: "pkg-threads/" };

/** DIR/sw.js: www/sw.js with its `BUILD` line filled in. The version hashes every file the
 * service worker serves, so any change to the site makes a new service worker (and cache). */
function stamp(dir) {
  const files = walk(dir).filter(
    (f) => f !== "sw.js" && !f.startsWith("data/") && !f.startsWith(".") && f !== "_headers" && !f.endsWith(".part"),
  );
  const hash = createHash("sha256");
  for (const f of files) hash.update(`${f}\0${sha256(readFileSync(path.join(dir, f)))}\n`);
  const template = readFileSync(path.join(ROOT, "www", "sw.js"), "utf8");
  const build = { version: hash.digest("hex").slice(0, 16), shell: [], builds: { gpu: [], cpu: [], threads: [] } };
  for (const f of files) {
    const kind = Object.keys(BUILD_DIRS).find((k) => f.startsWith(BUILD_DIRS[k]));
    if (kind) build.builds[kind].push(f);
    else build.shell.push(f);
  }
  const marker = /\/\* @kiln-build \*\/.*\/\* @end \*\//;
  if (!marker.test(template)) throw new Error("www/sw.js has no /* @kiln-build */ … /* @end */ line to fill in");
  // A function replacement: `$` in the JSON is not a pattern.
  const stamped = template.replace(marker, () => `/* @kiln-build */ ${JSON.stringify(build)} /* @end */`);
  writeAtomically(path.join(dir, "sw.js"), stamped);
  console.error(`site: ${path.join(dir, "sw.js")} stamped with version ${build.version} (${files.length} files)`);
}

/** The members of a tar held in memory: [{name, bytes}]. */
function untar(tar) {
  const members = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString("utf8").replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(tar.subarray(off + 124, off + 136).toString("utf8").trim(), 8) || 0;
    const type = String.fromCharCode(tar[off + 156] || 48);
    if (type === "0") members.push({ name, bytes: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** A ustar archive of one file, with a fixed date and owner so that the bytes depend only on
 * the contents. */
function tarOne(name, bytes) {
  const header = Buffer.alloc(512);
  const field = (text, offset, length) => header.write(text, offset, length, "utf8");
  const octal = (n, length) => n.toString(8).padStart(length - 1, "0");
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(bytes.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field("        ", 148, 8); // the checksum counts itself as spaces
  field("0", 156, 1);
  field("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of header) sum += b;
  field(`${octal(sum, 7)}\0`, 148, 8);
  const padding = Buffer.alloc((512 - (bytes.length % 512)) % 512);
  return Buffer.concat([header, bytes, padding, Buffer.alloc(1024)]);
}

/** DIR/data/: one `.tar.gz` per batch of ARCHIVE, then manifest.json naming each with its size
 * and SHA-256 (and those of the tar inside, for a host that sends it decompressed). */
function data(archive, dir) {
  const members = untar(gunzipSync(readFileSync(archive)));
  const wanted = members.filter((m) => /(^|\/)(data_batch_\d+|test_batch)\.bin$/.test(m.name));
  const meta = members.find((m) => m.name.endsWith("batches.meta.txt"));
  if (!wanted.some((m) => m.name.includes("test_batch")) || !wanted.some((m) => m.name.includes("data_batch"))) {
    throw new Error(`${archive}: no data_batch_*.bin and test_batch.bin inside; is it cifar-10-binary.tar.gz?`);
  }
  const out = path.join(dir, "data");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = [];
  for (const m of wanted) {
    const base = path.posix.basename(m.name, ".bin");
    const inner = [{ name: `cifar-10-batches-bin/${base}.bin`, bytes: m.bytes }];
    // The class names travel with the test batch, so every loaded set names its classes.
    if (base === "test_batch" && meta) inner.push({ name: "cifar-10-batches-bin/batches.meta.txt", bytes: meta.bytes });
    const tar = Buffer.concat(inner.map((f) => tarOne(f.name, f.bytes).subarray(0, -1024)).concat([Buffer.alloc(1024)]));
    const gz = gzipSync(tar, { level: 9 });
    const name = `${base}.tar.gz`;
    writeFileSync(path.join(out, name), gz);
    files.push({ name, size: gz.length, sha256: sha256(gz), tar_size: tar.length, tar_sha256: sha256(tar), images: m.bytes.length / 3073 });
    console.error(`site: data/${name} ${(gz.length / 1e6).toFixed(1)} MB`);
  }
  const manifest = { dataset: "CIFAR-10", source: "https://www.cs.toronto.edu/~kriz/cifar.html", files };
  writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  const total = files.reduce((n, f) => n + f.size, 0);
  console.error(`site: data/manifest.json, ${files.length} files, ${(total / 1e6).toFixed(0)} MB`);
}

const [command, ...args] = process.argv.slice(2);
if (command === "stamp" && args.length === 1) stamp(args[0]);
else if (command === "data" && args.length === 2) {
  statSync(args[0]); // a missing archive says so by name
  data(args[0], args[1]);
} else {
  console.error("usage: node scripts/site.mjs stamp DIR | data ARCHIVE DIR");
  process.exit(2);
}
