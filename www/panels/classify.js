// Section 4: classifying the user's image (a file, a drop, a paste or the webcam) and the bars
// of the top five classes. One request per image: the explanation comes in the same answer
// while "Inside the network" is open (www/panels/explain.js draws it).
import { imageFileToInput, toNetworkInput } from "../image.js";
import { $, el, makeDropZone } from "../ui.js";
import { className, fmt, onLanguage, t } from "../i18n/index.js";
import { pageError } from "../words.js";

/** @typedef {Uint8Array | Uint8ClampedArray} Pixels 32×32 RGBA */

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus, loadWeightsFile: (file: File) => Promise<void>,
 *   explainWanted: () => boolean,
 *   onClassified: (result: import("../values.js").Classification, rgba: Pixels) => void}} deps
 *   `explainWanted` says whether to ask for the explanation too; `onClassified` follows every
 *   classification of the latest image.
 */
export function classifyPanel({ worker, errors, bus, loadWeightsFile, explainWanted, onClassified }) {
  const list = $("prediction");
  const inputCanvas = $("network-input");
  /** @type {Pixels | null} the image classified last */
  let lastInput = null;
  /** @type {string | undefined} its name */
  let lastName;
  let ticket = 0; // the latest request; answers to earlier ones are not drawn
  /** @type {[Pixels, import("../values.js").Prediction[]] | null} the bars drawn, drawn again in another language */
  let shown = null;
  onLanguage(() => {
    if (!shown) return;
    const [rgba, predictions] = shown;
    const explained = list.querySelector("li.explained")?.dataset.class;
    list.replaceChildren(...predictions.slice(0, 5).map((p) => bar(rgba, p)));
    for (const li of list.children) li.classList.toggle("explained", li.dataset.class === explained);
  });

  /** Classify 32×32 RGBA pixels, and explain class `cls` (the top one when null) where the
   * explanation is wanted; `name` (a file name, "webcam") is kept on the result list.
   * @param {Pixels} rgba
   * @param {string | undefined} [name]
   * @param {number | null} [cls] */
  async function classify(rgba, name = lastName, cls = null) {
    lastInput = rgba;
    lastName = name;
    const mine = ++ticket;
    const explain = explainWanted();
    const result = await worker.request("classify", { rgba: new Uint8Array(rgba.buffer.slice(0)), explain, cls });
    if (mine !== ticket) return; // a later image (or class) is on its way
    shown = [rgba, result.predictions];
    list.replaceChildren(...result.predictions.slice(0, 5).map((p) => bar(rgba, p)));
    // "Not sure" is said above the ranking, which stays: the picture may be of no class.
    $("unsure").hidden = !result.unsure;
    list.dataset.unsure = String(result.unsure);
    list.dataset.probabilities = JSON.stringify(result.predictions.map((p) => p.probability));
    /** @type {number[]} */
    const byClass = [];
    for (const p of result.predictions) byClass[p.class] = p.probability;
    list.dataset.byClass = JSON.stringify(byClass);
    list.dataset.image = name ?? "";
    list.dataset.source = result.model.source; // which weights answered
    list.dataset.at = String(performance.now()); // ms since the page started loading
    onClassified(result, rgba);
  }

  /** One class' bar; a click explains that class.
   * @param {Pixels} rgba @param {import("../values.js").Prediction} p */
  function bar(rgba, p) {
    const fill = el("span");
    fill.style.width = `${Math.max(0.5, p.probability * 100)}%`;
    const name = className(p.name);
    const li = el("li", { title: t("classify.bar_title", { name }), onclick: () => pick(rgba, p.class) },
      el("span", { className: "name", textContent: name }),
      el("span", { className: "bar" }, fill),
      el("span", { className: "pct", textContent: fmt.pct(p.probability, 1) }));
    li.dataset.probability = String(p.probability);
    li.dataset.class = String(p.class);
    return li;
  }

  /** Explain class `cls` of `rgba` (a click on its bar), in a request of its own.
   * @param {Pixels} rgba @param {number} cls */
  function pick(rgba, cls) {
    if (rgba === lastInput) classify(rgba, lastName, cls).catch((e) => errors.show(e));
  }

  /** @param {Blob} blob an image file or pasted image */
  async function classifyFile(blob) {
    errors.clear();
    try {
      const rgba = await imageFileToInput(blob, inputCanvas);
      await classify(rgba, /** @type {File} */ (blob).name || "pasted image");
    } catch (e) {
      errors.show(e);
    }
  }

  $("image-input").onchange = (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    if (input.files?.[0]) classifyFile(input.files[0]);
    input.value = "";
  };
  makeDropZone($("image-drop"), (files) => {
    const file = files[0];
    return file.name.toLowerCase().endsWith(".bpk") ? loadWeightsFile(file) : classifyFile(file);
  });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData?.items || [])].find((i) => i.kind === "file");
    const file = item?.getAsFile();
    if (file) classifyFile(file);
  });

  // The camera is on only between "Use webcam" and "Capture": the picture is taken, then the
  // camera is released (its light goes off), and also when the page is hidden or left.
  const video = $("webcam-video");
  const stopWebcam = () => {
    const stream = /** @type {MediaStream | null} */ (video.srcObject);
    for (const track of stream?.getTracks() ?? []) track.stop();
    video.srcObject = null;
    video.hidden = true;
    $("webcam-capture").hidden = true;
  };
  $("webcam").onclick = async () => {
    try {
      stopWebcam();
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
      video.hidden = false;
      $("webcam-capture").hidden = false;
    } catch (e) {
      errors.show(pageError("webcam", { message: e.message }));
    }
  };
  $("webcam-capture").onclick = async () => {
    try {
      const rgba = toNetworkInput(video, video.videoWidth, video.videoHeight, inputCanvas);
      stopWebcam();
      await classify(rgba, "webcam");
    } catch (e) {
      errors.show(e);
    }
  };
  document.addEventListener("visibilitychange", () => document.hidden && stopWebcam());
  addEventListener("pagehide", stopWebcam);

  // Other weights answer differently: classify the last image again.
  bus.on("weights_changed", () => {
    if (lastInput) classify(lastInput).catch((e) => errors.show(e));
  });

  return {
    inputCanvas,
    /** Classify a picture given as 32×32 RGBA (a sample), shown as the network sees it.
     * @param {Uint8ClampedArray} rgba @param {string} name */
    classifyPixels(rgba, name) {
      errors.clear();
      const ctx = /** @type {CanvasRenderingContext2D} */ (inputCanvas.getContext("2d"));
      ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), 32, 32), 0, 0);
      return classify(rgba, name).catch((e) => errors.show(e));
    },
    /** Whether a picture has been classified. */
    hasPicture: () => lastInput !== null,
    /** Classify the last image again (with its explanation, when now wanted); false where
     * there is none. */
    again() {
      if (!lastInput) return false;
      classify(lastInput).catch((e) => errors.show(e));
      return true;
    },
    /** Mark the bar of the class the maps explain.
     * @param {number} cls */
    markExplained(cls) {
      for (const li of list.children) li.classList.toggle("explained", li.dataset.class === String(cls));
    },
  };
}
