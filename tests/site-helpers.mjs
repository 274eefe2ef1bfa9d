// For the published-site tests: a copy of dist/ with a small dataset split as `./build.sh site
// --data` splits the real one, served without COOP/COEP like a plain static host.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ARTEFACTS, ROOT } from "./helpers.mjs";

/** The served copy of dist/ (one per test process, so that test files do not share it). */
export const SITE = path.join(ARTEFACTS, `site-${process.pid}`);

/** Copy dist/ to SITE (hard links: cheap; the tests replace files, never write into them) and,
 * given `subset` (helpers.realSubset), split it into SITE/data/ with scripts/site.mjs. */
export function makeSite(subset) {
  if (!existsSync(path.join(ROOT, "dist", "sw.js"))) throw new Error("dist/ is not built: ./build.sh web first");
  rmSync(SITE, { recursive: true, force: true });
  try {
    execFileSync("cp", ["-al", path.join(ROOT, "dist"), SITE]);
  } catch {
    execFileSync("cp", ["-r", path.join(ROOT, "dist"), SITE]);
  }
  rmSync(path.join(SITE, "data"), { recursive: true, force: true });
  if (!subset) return;
  const unpacked = path.join(SITE + "-archive", "cifar-10-batches-bin");
  mkdirSync(unpacked, { recursive: true });
  copyFileSync(subset.trainPath, path.join(unpacked, "data_batch_1.bin"));
  copyFileSync(subset.testPath, path.join(unpacked, "test_batch.bin"));
  const archive = path.join(SITE + "-archive", "small.tar.gz");
  execFileSync("tar", ["-czf", archive, "-C", path.dirname(unpacked), "cifar-10-batches-bin"]);
  execFileSync("node", ["scripts/site.mjs", "data", archive, SITE], { cwd: ROOT, stdio: "ignore" });
}

/** Remove SITE and the small archive it was split from. */
export function removeSite() {
  rmSync(SITE, { recursive: true, force: true });
  rmSync(SITE + "-archive", { recursive: true, force: true });
}

/** Replace a file of the served site (a new inode: the copy is hard-linked to dist/). */
export function replaceFile(rel, bytes) {
  const file = path.join(SITE, rel);
  writeFileSync(`${file}.new`, bytes);
  renameSync(`${file}.new`, file);
}

/** Serve SITE on `port` as a host without the isolation headers would. */
export async function serveSite(port) {
  const server = spawn("node", ["scripts/serve.mjs", "--no-isolation", "--dir", SITE, String(port)], { cwd: ROOT, stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`http://localhost:${port}/index.html`)).ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error("the static server did not start");
}

/** Wait until `predicate` holds in the page, across the reloads the page makes on its own. */
export async function waitAcrossReloads(page, predicate, arg) {
  for (;;) {
    try {
      await page.waitForFunction(predicate, arg, { timeout: 120_000 });
      return;
    } catch (e) {
      if (!/context was destroyed|navigat/i.test(String(e))) throw e;
    }
  }
}

/** Wait for the page to be what a visitor keeps: served by the service worker, with the engine
 * builds it uses kept (after the one reload that makes it cross-origin isolated). */
export async function settle(page) {
  await waitAcrossReloads(page, () => document.querySelector('[data-testid="offline"]')?.dataset.state === "ready");
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
}
