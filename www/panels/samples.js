// The sample pictures beside the drawing: ten CIFAR-10 test images, one per class
// (www/samples.js). A click sends one through the network; the page opens with the first.
import { loadSamples } from "../samples.js";
import { $, el } from "../ui.js";
import { CIFAR_CLASSES, className, onLanguage, t } from "../i18n/index.js";

/**
 * @param {{onPick: (rgba: Uint8ClampedArray, name: string) => void}} deps `onPick` classifies
 *   the picture picked, named after its class.
 */
export function samplesPanel({ onPick }) {
  const strip = $("samples");
  /** @type {Promise<import("../samples.js").Sample[]>} */
  const samples = loadSamples();

  samples.then((list) => {
    strip.replaceChildren(
      ...list.map((s, i) => {
        const canvas = el("canvas", { width: 32, height: 32 });
        /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).putImageData(new ImageData(s.rgba, 32, 32), 0, 0);
        const button = el("button", { type: "button", onclick: () => pick(s) }, canvas);
        button.dataset.sample = String(i);
        button.dataset.label = CIFAR_CLASSES[s.label];
        return button;
      }),
    );
    label();
  });
  const label = () => {
    for (const b of strip.querySelectorAll("button")) {
      const name = className(/** @type {HTMLElement} */ (b).dataset.label ?? "");
      b.setAttribute("aria-label", t("samples.label", { name }));
      b.setAttribute("title", t("samples.label", { name }));
    }
  };
  onLanguage(label);

  /** @param {import("../samples.js").Sample} s */
  function pick(s) {
    for (const b of strip.querySelectorAll("button")) b.removeAttribute("aria-pressed");
    strip.querySelector(`[data-label="${CIFAR_CLASSES[s.label]}"]`)?.setAttribute("aria-pressed", "true");
    onPick(s.rgba, `sample: ${CIFAR_CLASSES[s.label]}`);
  }

  return {
    /** Send the first sample through the network (the page opens so). */
    async first() {
      const [s] = await samples;
      if (s) pick(s);
    },
  };
}
