// "How it learns": the five steps of training as the text lists them (initialise the weights;
// forward pass; loss; backward pass; update), lit as the engine runs them, and a look inside
// the network (www/panels/learnViews.js draws it) a few times a second at most.
//
// Live, the engine runs forward, loss, backward and update for every batch, many a second: each
// progress report moves the light on by one step. In slow motion the run is paused and each
// click on "Next batch" trains exactly one batch (`step_once`); when the engine says it has run
// (`stepped`), the four steps of that batch light up one after another, slowly enough to follow.
import { $ } from "../ui.js";
import { say } from "../i18n/index.js";
import { showInsight } from "./learnViews.js";

/** The five steps, in the order the text gives them. */
const STEPS = ["init", "forward", "loss", "backward", "update"];
/** Between two looks inside the network while training, so that they cost the run little. */
const LOOK_EVERY_MS = 2000;
/** Images per look. */
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
  let training = false;
  let hasDataset = false;
  let looking = false;
  /** @type {string | null} a forced look asked for while another was under way */
  let pending = null;
  let lastLook = 0;
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
  }

  /** The step after the one lit, forward → loss → backward → update → forward…. */
  function advance() {
    const i = STEPS.indexOf(list.dataset.current ?? "");
    light(STEPS[i < 1 || i >= STEPS.length - 1 ? 1 : i + 1]);
  }

  /** Look inside the network now, unless a look is under way (a forced look then follows it).
   * @param {string} when what the look follows
   * @param {boolean} [force] also when the last look was recent */
  async function look(when, force = false) {
    if (looking) {
      if (force) pending = when;
      return;
    }
    if (!hasDataset || !$("inside-learning").open || (!force && performance.now() - lastLook < LOOK_EVERY_MS)) return;
    looking = true;
    lastLook = performance.now();
    try {
      showInsight(await worker.request("insight", { images: LOOK_IMAGES }), when);
    } catch (e) {
      console.warn(`insight: ${e.message}`);
    } finally {
      looking = false;
    }
    if (pending) {
      const again = pending;
      pending = null;
      look(again, true);
    }
  }

  function setSlow() {
    next.disabled = !(training && slow.checked);
    if (!training) return;
    worker.request(slow.checked ? "pause" : "resume", {});
    say($("slow-status"), slow.checked ? "learn.slow_paused" : "learn.live");
  }
  slow.onchange = setSlow;
  $("inside-learning").addEventListener("toggle", () => $("inside-learning").open && look("opened", true));

  next.onclick = () => {
    next.disabled = true;
    worker.request("step_once", {}).catch((e) => errors.show(e));
  };

  worker.on("progress", ({ event }) => {
    switch (event.type) {
      case "started":
        steps = 0;
        light("init");
        if (slow.checked) setSlow();
        else say($("slow-status"), "learn.live");
        look("started", true);
        break;
      case "step":
        if (!slow.checked) advance();
        look("step");
        break;
      case "stepped": {
        // One batch ran: its four steps in order, then the look at the weights it left.
        steps += 1;
        timers.forEach(clearTimeout);
        timers = STEPS.slice(1).map((name, i) => setTimeout(() => light(name), i * SLOW_STEP_MS));
        timers.push(
          setTimeout(() => {
            say($("slow-status"), "learn.slow_done", { count: steps });
            next.disabled = !(training && slow.checked);
            look("stepped", true);
          }, (STEPS.length - 1) * SLOW_STEP_MS),
        );
        break;
      }
    }
  });

  bus.on("training", (on) => {
    training = on;
    next.disabled = !(on && slow.checked);
    if (!on) {
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
    look("run_ended", true);
  });
  bus.on("dataset_loaded", () => {
    hasDataset = true;
    look("dataset", true);
  });
  bus.on("weights_changed", () => !training && !ending && look("weights", true));
}
