// Accessibility, checked by axe-core (npm) in the page as a user first meets it and with a unit
// of the drawing opened, in both languages: no serious or critical finding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { appPerFile } from "../helpers.mjs";

const PORT = 22080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical findings on the page as it is, one line each. */
async function findings() {
  // Through the debugging protocol, which the page's Content-Security-Policy does not govern.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

for (const language of ["en", "zh-CN"]) {
  test(`no serious or critical accessibility finding (${language}), the drawing and a unit open`, async () => {
    await page.getByTestId("language-select").selectOption(language);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="network-diagram"] [data-unit]').length > 0, null, { timeout: 60_000 });
    await page.locator('.layer[data-layer="conv1"] > .units > [data-unit="0"]').click();
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-testid="unit-inspector"]');
      return !box.hidden && box.dataset.layer === "conv1" && !box.hasAttribute("aria-busy");
    });
    assert.deepEqual(await findings(), []);
  });
}

test("every unit of the drawing is reachable by keyboard", async () => {
  const first = page.locator('.layer[data-layer="conv1"] > .units > [data-unit="0"]');
  await first.focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.unit), "1");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector('[data-testid="unit-inspector"]').dataset.position?.startsWith("1,"));
});
