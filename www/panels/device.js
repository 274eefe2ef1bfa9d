// The device menu and what the device in use is. The worker chooses and starts it
// (www/worker/device.js); this panel asks for the menu's choice and says what came of it.
import { $ } from "../ui.js";

/** @typedef {import("../client.js").WorkerClient} WorkerClient */

/** @param {{worker: WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function devicePanel({ worker, errors, bus }) {
  const select = $("backend-select");
  const status = $("backend-status");
  let ticket = 0; // the latest choice; answers to earlier ones are dropped

  async function choose() {
    const backend = select.value;
    const mine = ++ticket;
    status.textContent = "starting…";
    delete status.dataset.backend;
    try {
      const info = await worker.request("init_device", { backend });
      if (mine !== ticket) return; // a later choice is on its way
      const name = info.backend === "webgpu" ? "WebGPU" : "CPU";
      let text = `${name}: ${info.adapter}`;
      if (info.fallback_reason) text += ` — using the CPU because ${info.fallback_reason}`;
      else if (info.speeds) text += ` — faster than the CPU here (${info.speeds.webgpu.toFixed(0)} vs ${info.speeds.cpu.toFixed(0)} img/s)`;
      status.textContent = text;
      status.dataset.backend = info.backend;
    } catch (e) {
      if (mine !== ticket) return;
      status.textContent = "device error";
      errors.show(e);
    }
  }

  select.onchange = choose;
  bus.on("training", (on) => (select.disabled = on));

  return {
    /** Start the device the menu names. */
    choose,
    /** The backend in use (`cpu` or `webgpu`), undefined while it starts.
     * @returns {string | undefined} */
    backend: () => status.dataset.backend,
  };
}
