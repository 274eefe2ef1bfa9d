// Peak memory of the browser while the page loads the full CIFAR-10 archive (run by
// `./build.sh bench`): the resident memory of all Chromium processes (counted twice where
// pages are shared, so an upper bound), sampled every 100 ms,
// before and during the load. Prints the figures and one JSON line.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CIFAR, launchBrowser, startServer } from "../tests/helpers.mjs";

if (!existsSync(CIFAR)) {
  console.log(`SKIPPED: real CIFAR-10 not found at ${CIFAR}`);
  process.exit(0);
}

/** Resident memory (MB) of all Chromium processes (run this with no other Chromium open). */
function browserRssMb() {
  const out = execFileSync("ps", ["-eo", "rss=,comm="], { encoding: "utf8" });
  return (
    out
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([, comm]) => /chrom/.test(comm))
      .reduce((kb, [rss]) => kb + Number(rss), 0) / 1024
  );
}

const server = await startServer(19482);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto("http://localhost:19482/index.html");
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  const before = browserRssMb();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, browserRssMb())), 100);
  const t0 = Date.now();
  await page.getByTestId("dataset-input").setInputFiles(CIFAR);
  await page.waitForFunction(() => /50,000/.test(document.querySelector('[data-testid="dataset-summary"]').innerText), null, { timeout: 300_000 });
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(timer);
  const after = browserRssMb();
  console.log(`full archive loaded in ${seconds.toFixed(1)} s; browser memory ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB, ${after.toFixed(0)} MB after`);
  console.log(JSON.stringify({ benchmark: "dataset_load_memory", seconds, before_mb: before, peak_mb: peak, after_mb: after, peak_increase_mb: peak - before }));
} finally {
  await browser.close();
  server.kill();
}
