// A static server for dist/ on 127.0.0.1 (localhost is a secure context, so the browser exposes
// WebGPU there). Node's standard library only.
//
//   node scripts/serve.mjs [--no-isolation] [--dir DIR] [PORT]     (PORT 8080, DIR dist/)
//
// Every response carries the two headers that make the page cross-origin isolated
// (SharedArrayBuffer, so the multi-threaded CPU build can run); --no-isolation leaves them out,
// as a static host without them would. Only files under DIR are served.
//
// DIR/_headers, when present, adds headers by path in the format Netlify and Cloudflare Pages
// read, so a policy set there (say, a Content-Security-Policy for the worker's scripts, which the
// page's <meta> does not cover) holds here as on those hosts:
//   /worker/*
//     Content-Security-Policy: default-src 'self'
import { createReadStream, readFileSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
};

function parseArgs(argv) {
  const options = { port: 8080, dir: "dist", isolation: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-isolation") options.isolation = false;
    else if (arg === "--dir" && i + 1 < argv.length) options.dir = argv[++i];
    else if (/^\d+$/.test(arg) && Number(arg) > 0 && Number(arg) < 65536) options.port = Number(arg);
    else {
      console.error(`serve.mjs: unknown argument ${JSON.stringify(arg)}`);
      console.error("usage: node scripts/serve.mjs [--no-isolation] [--dir DIR] [PORT]");
      process.exit(2);
    }
  }
  return options;
}

/** The file under `root` that `urlPath` names, or null when it names anything outside it. */
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // A `..` segment is refused outright rather than clamped to the root.
  if (decoded.includes("\0") || decoded.split(/[\\/]/).includes("..")) return null;
  const file = path.resolve(root, "." + path.posix.normalize("/" + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/** The file to send for `file`: itself, or its index.html when it is a folder. A symbolic link
 * out of the root is refused like a `../` path. */
async function findFile(root, file) {
  let info = await stat(file);
  if (info.isDirectory()) {
    file = path.join(file, "index.html");
    info = await stat(file);
  }
  const real = await realpath(file);
  if (!real.startsWith(root + path.sep)) return null;
  return info.isFile() ? { file, info } : null;
}

/** The headers DIR/_headers gives `urlPath`: every rule whose pattern matches, in order. A
 * pattern is a path where `*` matches anything. Read on each request, so edits apply at once. */
function extraHeaders(root, urlPath) {
  let text;
  try {
    text = readFileSync(path.join(root, "_headers"), "utf8");
  } catch {
    return {};
  }
  const headers = {};
  let matches = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (!/^\s/.test(raw)) {
      const pattern = line.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
      matches = new RegExp(`^${pattern}$`).test(urlPath);
    } else if (matches && line.includes(":")) {
      const at = line.indexOf(":");
      headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return headers;
}

const options = parseArgs(process.argv.slice(2));
const root = await realpath(path.resolve(options.dir)).catch(() => {
  console.error(`serve.mjs: ${options.dir} not found: build it first (./build.sh web)`);
  process.exit(1);
});

const server = createServer(async (req, res) => {
  if (options.isolation) {
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
  }
  const send = (status, text, headers = {}) => {
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
    res.end(req.method === "HEAD" ? undefined : text + "\n");
  };
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed", { Allow: "GET, HEAD" });
  const urlPath = (req.url || "/").split("?")[0].split("#")[0];
  const file = resolveInside(root, urlPath);
  if (!file) return send(403, "forbidden");
  let found;
  try {
    found = await findFile(root, file);
  } catch {
    found = undefined;
  }
  if (found === null) return send(403, "forbidden");
  if (!found) return send(404, "not found");
  // A folder's index without the trailing slash: redirect, so the page's relative URLs resolve.
  if (found.file !== file && !urlPath.endsWith("/")) {
    const folder = path.relative(root, file).split(path.sep).map(encodeURIComponent).join("/");
    return send(301, "moved", { Location: `/${folder}/` });
  }
  const modified = found.info.mtime.toUTCString();
  const headers = {
    "Content-Type": MIME[path.extname(found.file).toLowerCase()] || "application/octet-stream",
    "Last-Modified": modified,
    // Revalidate every time: a rebuilt dist/ is picked up on reload.
    "Cache-Control": "no-cache",
    ...extraHeaders(root, urlPath),
  };
  const since = Date.parse(req.headers["if-modified-since"] || "");
  if (!Number.isNaN(since) && Math.floor(found.info.mtimeMs / 1000) * 1000 <= since) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, "Content-Length": found.info.size });
  if (req.method === "HEAD") return res.end();
  createReadStream(found.file)
    .on("error", () => res.destroy())
    .pipe(res);
});

server.on("error", (e) => {
  console.error(`serve.mjs: cannot listen on 127.0.0.1:${options.port}: ${e.message}`);
  process.exit(1);
});
server.listen(options.port, "127.0.0.1", () => {
  const isolation = options.isolation ? "cross-origin isolated" : "not isolated (--no-isolation)";
  console.error(`serving ${path.relative(process.cwd(), root) || "."}/ at http://localhost:${options.port}/ (${isolation}; Ctrl-C to stop)`);
});
