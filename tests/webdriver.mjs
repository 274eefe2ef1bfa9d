// The page in three engines through W3C WebDriver (selenium-webdriver): Chromium (chromedriver),
// Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver driving MiniBrowser under Xvfb).
// playwright-core drives only its own builds of Firefox and WebKit, not Debian's, hence this.
//
//   const engine = await openEngine("firefox", { port, lang: "en-US" });
//   if (engine.skip) return t.skip(engine.skip);   // browser or driver not installed
//   await engine.goto("/index.html?test"); ...; await engine.close();
//
// Each engine runs with a fresh profile and its driver on a port of its own, started here (no
// Selenium Manager: it would download drivers). ENGINE_BINARIES names the programs each needs;
// CHROMIUM, CHROMEDRIVER, FIREFOX, GECKODRIVER, MINIBROWSER, WEBKIT_WEBDRIVER and XVFB name
// other paths for them.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Builder } from "selenium-webdriver";
import { CHROMIUM_FLAGS } from "./helpers.mjs";
import LogInspector from "selenium-webdriver/bidi/logInspector.js";

export const ENGINES = ["chromium", "firefox", "webkit"];

/** The first of `names` on the PATH (or an absolute path that exists), or null; when the
 * environment variable `variable` is set, what it names, and nothing else. */
function which(variable, ...names) {
  if (variable && process.env[variable]) names = [process.env[variable]];
  for (const name of names.filter(Boolean)) {
    if (name.startsWith("/")) {
      if (existsSync(name)) return name;
      continue;
    }
    const found = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" }).stdout?.trim();
    if (found) return found;
  }
  return null;
}

/** MiniBrowser ships outside the PATH, under the multiarch library directory of webkit2gtk. */
function miniBrowser() {
  const listed = spawnSync("dpkg", ["-L", "libwebkit2gtk-4.1-0"], { encoding: "utf8" }).stdout ?? "";
  const fromDpkg = listed.split("\n").find((l) => l.endsWith("/MiniBrowser"));
  return which("MINIBROWSER", fromDpkg, "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
}

/** What each engine needs, as { name: path or null }, and how to install the missing. */
function binaries(engine) {
  switch (engine) {
    case "chromium":
      return {
        need: {
          chromium: which("CHROMIUM", "chromium", "chromium-browser"),
          chromedriver: which("CHROMEDRIVER", "chromedriver"),
        },
        install: "apt-get install chromium chromium-driver",
      };
    case "firefox":
      return {
        need: {
          "firefox-esr": which("FIREFOX", "firefox-esr", "firefox"),
          geckodriver: which("GECKODRIVER", "geckodriver"),
        },
        install: "apt-get install firefox-esr mesa-vulkan-drivers; cargo install geckodriver --locked",
      };
    case "webkit":
      return {
        need: {
          MiniBrowser: miniBrowser(),
          WebKitWebDriver: which("WEBKIT_WEBDRIVER", "WebKitWebDriver"),
          Xvfb: which("XVFB", "Xvfb"),
        },
        install: "apt-get install webkit2gtk-driver xvfb",
      };
    default:
      throw new Error(`unknown engine ${engine}`);
  }
}

/** Why `engine` cannot run here (its browser or driver is not installed), or null. */
export function engineMissing(engine) {
  const { need, install } = binaries(engine);
  const missing = Object.keys(need).filter((k) => !need[k]);
  return missing.length ? `${missing.join(" and ")} not installed (${install})` : null;
}

/** Start `command`, and resolve once `port` on 127.0.0.1 answers WebDriver's /status. */
async function startDriver(command, args, port, env = process.env) {
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${command} did not start on port ${port}: ${stderr}`);
}

/** A private X server for WebKitGTK (it has no headless mode), on a display it picks itself. */
async function startXvfb(command) {
  const xvfb = spawn(command, ["-displayfd", "3", "-screen", "0", "1280x1100x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "ignore", "pipe"],
  });
  const display = await new Promise((resolve, reject) => {
    let out = "";
    xvfb.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(`:${out.trim()}`);
    });
    xvfb.on("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it had a display`)));
  });
  return { xvfb, display };
}

/** The capabilities, and the driver to start, for `engine`. */
function setup(engine, need, port, lang) {
  switch (engine) {
    case "chromium":
      return {
        driver: [need.chromedriver, [`--port=${port}`]],
        capabilities: {
          browserName: "chrome",
          "goog:chromeOptions": {
            binary: need.chromium,
            // As tests/helpers.mjs launchBrowser, headless.
            args: [
              "--headless=new",
              ...CHROMIUM_FLAGS,
              `--lang=${lang}`,
              "--window-size=1280,1100",
            ],
            prefs: { "intl.accept_languages": lang },
          },
        },
      };
    case "firefox":
      return {
        // --websocket-port 0: the BiDi socket on a free port, so that two Firefoxes can run.
        driver: [need.geckodriver, [`--port=${port}`, "--websocket-port=0", "--binary", need["firefox-esr"]]],
        capabilities: {
          browserName: "firefox",
          "moz:firefoxOptions": {
            binary: need["firefox-esr"],
            args: ["-headless", "-width=1280", "-height=1100"],
            prefs: {
              // WebGPU is off by default in Firefox ESR on Linux; it runs on Mesa's lavapipe here.
              "dom.webgpu.enabled": true,
              "gfx.webgpu.ignore-blocklist": true,
              "intl.accept_languages": lang,
            },
          },
        },
      };
    case "webkit":
      return {
        driver: [need.WebKitWebDriver, [`--port=${port}`]],
        capabilities: {
          browserName: "MiniBrowser",
          "webkitgtk:browserOptions": { binary: need.MiniBrowser, args: ["--automation"] },
        },
      };
  }
}

/** Catch the page's uncaught errors and console.error calls in the page itself, for engines
 * whose driver reports neither (WebKitWebDriver has no BiDi log events). Runs after each load:
 * what fails before it is not seen. */
const PAGE_HOOK = `
  if (!window.__errors) {
    window.__errors = [];
    const push = (e) => window.__errors.push(String(e));
    addEventListener("error", (e) => push(e.error ?? e.message));
    addEventListener("unhandledrejection", (e) => push(e.reason));
    const original = console.error;
    console.error = (...args) => { push(args.map(String).join(" ")); original.apply(console, args); };
  }`;

/**
 * Start `engine`'s driver and browser, on `port` (the driver's) with the page's language `lang`.
 * Returns { skip: reason } when the browser or its driver is not installed, else a session:
 * { name, driver, errors, goto(path), reload(), waitFor(fn, arg, opts), run(fn, ...args),
 *   text(testid), setFiles(testid, files), select(testid, value), fill(testid, value),
 *   click(testid), screenshot(), close() }. `errors` collects the page's console errors and
 * uncaught exceptions (through BiDi where the driver offers it, else through PAGE_HOOK).
 */
export async function openEngine(engine, { port, base, lang = "en-US" }) {
  const missing = engineMissing(engine);
  if (missing) return { skip: missing };
  const { need } = binaries(engine);
  const {
    driver: [command, args],
    capabilities,
  } = setup(engine, need, port, lang);
  // BiDi, for the console: Firefox and Chromium's drivers offer it.
  if (engine !== "webkit") capabilities.webSocketUrl = true;

  const env = { ...process.env, LANG: `${lang.replace("-", "_")}.UTF-8`, LANGUAGE: lang.replace("-", "_") };
  let xvfb = null;
  if (engine === "webkit") {
    const x = await startXvfb(need.Xvfb);
    xvfb = x.xvfb;
    env.DISPLAY = x.display;
  }
  let service;
  try {
    service = await startDriver(command, args, port, env);
  } catch (e) {
    xvfb?.kill();
    throw e;
  }
  const stop = () => {
    service.kill();
    xvfb?.kill();
    process.off("exit", stop);
  };
  // A test process that ends early (killed by a timeout, say) does not leave the driver behind.
  process.on("exit", stop);
  let driver;
  try {
    driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(capabilities).build();
  } catch (e) {
    stop();
    throw e;
  }

  const errors = [];
  let bidi = false;
  if (capabilities.webSocketUrl && (await driver.getCapabilities()).get("webSocketUrl")) {
    const inspector = await LogInspector(driver);
    await inspector.onConsoleEntry((entry) => entry.level === "error" && errors.push(entry.text));
    await inspector.onJavascriptException((entry) => errors.push(entry.text));
    bidi = true;
  }
  const hook = async () => {
    if (bidi) return;
    await driver.executeScript(PAGE_HOOK);
    const seen = await driver.executeScript("return window.__errors.splice(0)");
    errors.push(...seen);
  };

  /** Run `fn` (a function, serialised) in the page with `args`; resolves to its result. */
  const run = (fn, ...args) => driver.executeScript(`return (${fn}).apply(null, arguments)`, ...args);

  /**
   * Wait until `fn(arg)` is truthy in the page; returns its value. Polls, and keeps polling
   * across the page's own reloads (a script running during one fails with a navigation error).
   */
  async function waitFor(fn, arg, { timeout = 60_000, what = String(fn) } = {}) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const value = await run(fn, arg ?? null);
        if (value) return value;
      } catch (e) {
        last = e;
        if (!/navigat|unload|context|stale|detached|no such (window|frame)|JavaScript|script/i.test(String(e))) throw e;
      }
      if (Date.now() > end)
        throw new Error(
          `${engine}: timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ""}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    name: engine,
    driver,
    errors,
    bidi,
    async goto(path) {
      await driver.get(`${base}${path}`);
      await hook();
    },
    /** Reload as a user's reload button does: location.reload(). (Firefox's WebDriver refresh
     * bypasses the service worker, like a hard reload, so the page cannot open offline.) Resolves
     * once the new document has loaded. */
    async reload() {
      await run(() => {
        window.__beforeReload = true;
        setTimeout(() => location.reload(), 0);
      });
      await waitFor(() => !window.__beforeReload && document.readyState === "complete", null, { what: "the reload" });
      await hook();
    },
    hook,
    run,
    waitFor,
    /** The text a user sees in [data-testid=id]. */
    text: (id) => run((id) => document.querySelector(`[data-testid="${id}"]`).innerText.trim(), id),
    /** Click [data-testid=id] as a user would (WebDriver's element click). */
    async click(id) {
      await driver.findElement({ css: `[data-testid="${id}"]` }).click();
    },
    /** Choose `value` in the <select> [data-testid=id], with the change event a user's pick fires. */
    select: (id, value) =>
      run(
        (id, value) => {
          const select = document.querySelector(`[data-testid="${id}"]`);
          select.value = value;
          select.dispatchEvent(new Event("input", { bubbles: true }));
          select.dispatchEvent(new Event("change", { bubbles: true }));
        },
        id,
        value,
      ),
    /** Type `value` into the field [data-testid=id] (cleared first). */
    async fill(id, value) {
      const field = await driver.findElement({ css: `[data-testid="${id}"]` });
      await field.clear();
      if (value !== "") await field.sendKeys(String(value));
      await run(
        (id) => document.querySelector(`[data-testid="${id}"]`).dispatchEvent(new Event("change", { bubbles: true })),
        id,
      );
    },
    /**
     * Put `files` ([{name, type, bytes: Buffer}]) on the <input type=file> [data-testid=id], as a
     * user's choice does: a DataTransfer built in the page (portable across the three engines,
     * and the inputs are hidden, which WebDriver's sendKeys refuses), then its change event.
     */
    setFiles: (id, files) =>
      run(
        (id, files) => {
          const transfer = new DataTransfer();
          for (const f of files) {
            const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], f.name, { type: f.type }));
          }
          const input = document.querySelector(`[data-testid="${id}"]`);
          input.files = transfer.files;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        },
        id,
        files.map((f) => ({ name: f.name, type: f.type ?? "", base64: Buffer.from(f.bytes).toString("base64") })),
      ),
    /** A PNG of the window. */
    screenshot: async () => Buffer.from(await driver.takeScreenshot(), "base64"),
    async close() {
      try {
        await driver.quit();
      } catch {}
      stop();
    },
  };
}
