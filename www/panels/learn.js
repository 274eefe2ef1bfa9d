// "How it learns": the five steps of training as the text lists them (initialise the weights;
// forward pass; loss; backward pass; update), lit as the engine runs them, and a look inside
// the network (www/panels/learnViews.js draws it). While the panel is open during a run, the
// engine measures the look on a training step's own batch and sends it with a progress report
// (`watch_learning`); otherwise the page asks for one (`insight`) when the weights change.
//
// Live, the engine runs forward, loss, backward and update for every batch, many a second: each
// progress report moves the light on by one step. In slow motion the run is paused and each
// click on "Next batch" trains exactly one batch (`step_once`); when the engine says it has run
// (`stepped`), the four steps of that batch light up one after another, slowly enough to follow.
import { $ } from "../ui.js";
import { say } from "../i18n/index.js";
import { showInsight, showStepRate } from "./learnViews.js";

/** The five steps, in the order the text gives them. */
const STEPS = ["init", "forward", "loss", "backward", "update"];
/** Images per look asked for outside a run's reports. */
const LOOK_IMAGES = 16;
/** How long each step of a slow-motion batch stays lit. */
const SLOW_STEP_MS = 700;

/**
 * @param {{worker: import("../client.js").WorkerClient, bus: import("../bus.js").Bus,
 *   errors: import("./errors.js").Errors}} deps
 */
export function learnPanel({ worker, bus, errors }) {
  const list = $("how-it-learns");
  const slow = $("slow-motion");
  const next = $("next-batch");
  let hasDataset = false;
  let looking = false;
  /** @type {string | null} a look asked for while another was under way */
  let pending = null;
  let steps = 0; // batches run in slow motion
  /** @type {ReturnType<typeof setTimeout>[]} */
  let timers = [];

  /** Light step `name` (aria-current="step"), or none.
   * @param {string | null} name */
  function light(name) {
    for (const li of list.querySelectorAll("li")) {
      if (li.dataset.step === name) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
    list.dataset.current = name ?? "";
    // The drawing follows the steps of a slow-motion batch (live, they change too fast to see).
    if (slow.checked || name === null) bus.emit("learning_step", name);
  }

  /** The step after the one lit, forward → loss → backward → update → forward…. */
  function advance() {
    const i = STEPS.indexOf(list.dataset.current ?? "");
    light(STEPS[i < 1 || i >= STEPS.length - 1 ? 1 : i + 1]);
  }

  /** Look inside the network now, or after the look under way.
   * @param {string} when what the look follows */
  async function look(when) {
    if (looking) {
      pending = when;
      return;
    }
    if (!hasDataset || !$("inside-learning").open) return;
    looking = true;
    try {
      const insight = await worker.request("insight", { images: LOOK_IMAGES });
      showInsight(insight, when);
      bus.emit("insight", insight);
    } catch (e) {
      console.warn(`insight: ${e.message}`);
    } finally {
      looking = false;
    }
    if (pending) {
      const again = pending;
      pending = null;
      look(again);
    }
  }

  function setSlow() {
    next.disabled = !(worker.session.run && slow.checked);
    if (!worker.session.run) return;
    worker.request(slow.checked ? "pause" : "resume", {});
    say($("slow-status"), slow.checked ? "learn.slow_paused" : "learn.live");
  }
  slow.onchange = setSlow;
  /** Tell the engine whether the panel is open (it then sends looks with its reports). */
  const watch = () => worker.request("watch_learning", { on: $("inside-learning").open }).catch(() => {});
  $("inside-learning").addEventListener("toggle", () => {
    watch();
    if ($("inside-learning").open) look("opened");
  });

  next.onclick = () => {
    next.disabled = true;
    worker.request("step_once", {}).catch((e) => errors.show(e));
  };

  bus.on("progress", ({ event }) => {
    switch (event.type) {
      case "started":
        steps = 0;
        light("init");
        if (slow.checked) setSlow();
        else say($("slow-status"), "learn.live");
        if (slow.checked) look("started"); // live, the run's first report brings one
        break;
      case "step":
        showStepRate(event.learning_rate);
        if (!slow.checked) advance();
        if (event.insight && $("inside-learning").open) {
          showInsight(event.insight, "step");
          bus.emit("insight", event.insight);
        }
        break;
      case "stepped": {
        // One batch ran: its four steps in order, then the look at the weights it left.
        steps += 1;
        timers.forEach(clearTimeout);
        timers = STEPS.slice(1).map((name, i) => setTimeout(() => light(name), i * SLOW_STEP_MS));
        timers.push(
          setTimeout(() => {
            say($("slow-status"), "learn.slow_done", { count: steps });
            next.disabled = !(worker.session.run && slow.checked);
            look("stepped");
          }, (STEPS.length - 1) * SLOW_STEP_MS),
        );
        break;
      }
    }
  });

  bus.on("training", (on) => {
    if (on) watch(); // as the run begins (a fresh worker forgets): its reports carry looks from then on
    next.disabled = !(on && slow.checked);
    if (!on) {
      showStepRate(null);
      ending = true;
      timers.forEach(clearTimeout);
      light(null);
      say($("slow-status"), "learn.idle");
    }
  });
  // A run's end changes the weights too: one look, after it (run_ended), not two.
  let ending = false;
  bus.on("run_ended", () => {
    ending = false;
    look("run_ended");
  });
  bus.on("dataset_loaded", () => {
    hasDataset = true;
    look("dataset");
  });
  bus.on("weights_changed", () => !worker.session.run && !ending && look("weights"));
}
