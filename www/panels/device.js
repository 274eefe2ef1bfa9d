// The device menu and what the device in use is. The worker chooses and starts it
// (www/worker/device.js); this panel asks for the menu's choice and says what came of it, in
// the words of www/words.js.
import { $ } from "../ui.js";
import { onLanguage, say, sayRaw } from "../i18n/index.js";
import { describeDevice } from "../words.js";

/** @typedef {import("../client.js").WorkerClient} WorkerClient */

/** @param {{worker: WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function devicePanel({ worker, errors, bus }) {
  const select = $("backend-select");
  const status = $("backend-status");
  let ticket = 0; // the latest choice; answers to earlier ones are dropped
  /** @type {import("../values.js").DeviceInfo | null} the device described now */
  let shown = null;
  onLanguage(() => shown && sayRaw(status, describeDevice(shown)));

  async function choose() {
    const backend = select.value;
    const mine = ++ticket;
    shown = null;
    say(status, "device.starting");
    delete status.dataset.backend;
    delete status.dataset.builds;
    try {
      const info = await worker.request("init_device", { backend });
      if (mine !== ticket) return; // a later choice is on its way
      shown = info;
      sayRaw(status, describeDevice(info));
      status.dataset.backend = info.backend;
      status.dataset.reason = info.reason.code;
      status.dataset.builds = info.builds.join(" ");
    } catch (e) {
      if (mine !== ticket) return;
      say(status, "device.error");
      errors.show(e);
    }
  }

  select.onchange = choose;
  bus.on("training", (on) => (select.disabled = on));

  return {
    /** Start the device the menu names. */
    choose,
  };
}
