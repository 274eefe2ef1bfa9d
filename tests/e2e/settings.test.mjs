// The training form, in headless Chromium against dist/: each setting's default and limits from
// the engine's declarations, a refused value shown beside its field, and the form kept in the
// page's address, so that a link reproduces a setup. The schedule's settings: schedule.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile } from "../helpers.mjs";

const PORT = 31080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

test("the training form takes its defaults from the engine, shows each refusal beside its field and lives in the link", async () => {
  const form = await page.context().browser().newPage();
  try {
    const url = page.url().replace(/\?.*$/, "?test");
    await form.goto(`${url}#epochs=7&learning_rate=0.01&augment=true&framing=true`);
    await form.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    const field = (id) => form.getByTestId(id);
    await form.waitForFunction(() => document.querySelectorAll(".field-error").length === 16);
    // From the link, and the rest from the engine's declarations.
    assert.equal(await field("epochs").inputValue(), "7");
    assert.equal(await field("learning-rate").inputValue(), "0.01");
    assert.equal(await field("augment").isChecked(), true);
    // Re-framing as photos are framed, offered for any network; the run below trains with it.
    assert.equal(await field("framing").isChecked(), true);
    assert.equal(await field("batch-size").inputValue(), "32");
    assert.equal(await field("epochs").getAttribute("max"), "1000");

    // Ten records of a made-up batch file, so that Train is enabled.
    const records = Buffer.alloc(10 * 3073);
    for (let i = 0; i < 10; i++) records[i * 3073] = i;
    await field("dataset-input").setInputFiles({ name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: records });
    await form.waitForFunction(() => !document.querySelector('[data-testid="train"]').disabled);

    await field("epochs").fill("1.5");
    await field("batch-size").fill("0");
    assert.match(await form.evaluate(() => location.hash), /epochs=1\.5&batch_size=0/);
    await field("train").click();
    const refusal = (key) => form.locator(`.field-error[data-field="${key}"]`);
    await refusal("epochs").filter({ hasText: "whole number" }).waitFor();
    assert.match(await refusal("batch_size").innerText(), /from 1 to 4096/);
    assert.equal(await refusal("learning_rate").innerText(), "");
    assert.match(await field("error").innerText(), /epochs must be a whole number; batch size must be from 1 to 4096/);
    assert.equal(await field("train-status").innerText(), "idle", "no run started");

    // Fixed, the same form trains, and the refusals go.
    await field("epochs").fill("1");
    await field("batch-size").fill("5");
    await field("train").click();
    await field("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await refusal("epochs").innerText(), "");
    assert.match(await form.evaluate(() => location.hash), /epochs=1&batch_size=5&learning_rate=0\.01/);
    assert.match(await form.evaluate(() => location.hash), /framing=true/);
  } finally {
    await form.close();
  }
});
