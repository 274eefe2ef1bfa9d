// Live charts (uPlot): training loss and accuracy per step (smoothed), and training against
// test per epoch (accuracy and loss on one chart, the gap between them shaded, the best test
// epoch marked), which is where overfitting shows. They draw the history the worker's session
// sends (www/worker/session.js) and the step reports as they come; the best epoch is the
// engine's.
import "./locale.js"; // before uPlot, which formats with the browser's language as it loads
import uPlot from "./vendor/uPlot.esm.js";
import { fmt, onLanguage, t } from "./i18n/index.js";

const SMOOTHING = 0.9;

/** @typedef {import("./values.js").StepEvent} StepEvent */
/** @typedef {import("./values.js").EpochRecord} EpochRecord */
/** @typedef {(number | null)[][]} Series x values, then one array per line */

/** @param {HTMLElement} el */
function size(el) {
  return { width: Math.max(300, el.clientWidth || 480), height: 220 };
}

export class Charts {
  /** @type {Series} */ stepData = [];
  /** @type {Series} */ epochData = [];
  /** @type {number | null} */ smoothLoss = null;
  /** @type {number | null} */ smoothAcc = null;
  /** @type {import("./values.js").Best | null} */ best = null;
  /** @type {uPlot} */ step;
  /** @type {uPlot} */ epoch;

  /** @param {HTMLElement} stepEl @param {HTMLElement} epochEl */
  constructor(stepEl, epochEl) {
    this.stepEl = stepEl;
    this.epochEl = epochEl;
    [this.step, this.epoch] = this.reset();
    // Titles, axes and legends in the new language, the lines as they were.
    onLanguage(() => this.#build());
    new ResizeObserver(() => {
      this.step.setSize(size(stepEl));
      this.epoch.setSize(size(epochEl));
    }).observe(stepEl);
  }

  /** Empty both charts; returns the new ones. */
  reset() {
    this.stepData = [[], [], [], []]; // x, loss, accuracy, learning rate
    this.epochData = [[], [], [], [], []]; // epoch, train acc, test acc, train loss, test loss
    this.smoothLoss = null;
    this.smoothAcc = null;
    this.best = null;
    return this.#build();
  }

  /** Draw both charts anew from the data held, in the page's language; returns them. */
  #build() {
    this.step?.destroy();
    this.epoch?.destroy();
    this.stepEl.replaceChildren();
    this.epochEl.replaceChildren();
    this.step = new uPlot(
      {
        title: t("chart.step_title"),
        ...size(this.stepEl),
        // The learning rate has a scale of its own, from 0 to its peak, without an axis: its
        // shape is the schedule; the legend gives its value.
        scales: { x: { time: false }, acc: { range: [0, 1] }, lr: { range: (_, __, max) => [0, max || 1] } },
        axes: [{ label: t("chart.epoch") }, { label: t("chart.loss") }, { side: 1, scale: "acc", label: t("chart.accuracy"), grid: { show: false } }],
        series: [
          { label: t("chart.epoch") },
          { label: t("chart.loss"), stroke: "#d9480f", width: 2 },
          { label: t("chart.accuracy"), stroke: "#1c7ed6", scale: "acc", width: 2 },
          { label: t("chart.learning_rate"), stroke: "#868e96", scale: "lr", width: 1, dash: [3, 3] },
        ],
      },
      /** @type {uPlot.AlignedData} */ (this.stepData),
      this.stepEl,
    );
    this.epoch = new uPlot(
      {
        title: t("chart.epoch_title"),
        ...size(this.epochEl),
        scales: { x: { time: false }, acc: { range: [0, 1] }, loss: { auto: true } },
        axes: [
          { label: t("chart.epoch") },
          { scale: "acc", label: t("chart.accuracy") },
          { scale: "loss", side: 1, label: t("chart.loss"), grid: { show: false } },
        ],
        series: [
          { label: t("chart.epoch") },
          { label: t("chart.train_acc"), scale: "acc", stroke: "#1c7ed6", width: 2, points: { show: true } },
          { label: t("chart.test_acc"), scale: "acc", stroke: "#2b8a3e", width: 2, points: { show: true } },
          { label: t("chart.train_loss"), scale: "loss", stroke: "#f08c00", width: 1.5, dash: [6, 4], points: { show: true } },
          { label: t("chart.test_loss"), scale: "loss", stroke: "#c92a2a", width: 1.5, dash: [6, 4], points: { show: true } },
        ],
        // The generalisation gap: between the train and test accuracy curves.
        bands: [{ series: [1, 2], fill: "rgba(240, 62, 62, 0.15)" }],
        hooks: { draw: [(u) => this.#markBest(u)] },
      },
      /** @type {uPlot.AlignedData} */ (this.epochData),
      this.epochEl,
    );
    return [this.step, this.epoch];
  }

  /** @param {StepEvent} event */
  addStep(event) {
    const x = event.position;
    this.#pushStep(x, event.loss, event.accuracy, event.learning_rate ?? null);
    this.step.setData(/** @type {uPlot.AlignedData} */ (this.stepData));
  }

  /** Draw the epochs anew, with the best of them marked.
   * @param {EpochRecord[]} epochs @param {import("./values.js").Best | null} best */
  setEpochs(epochs, best) {
    this.epochData = [[], [], [], [], []];
    for (const record of epochs) this.#pushEpoch(record);
    this.best = best;
    this.epoch.setData(/** @type {uPlot.AlignedData} */ (this.epochData));
  }

  /** Draw a history anew: its step reports (flat [x, loss, accuracy, …]), epochs and best.
   * @param {ArrayLike<number>} steps @param {EpochRecord[]} epochs
   * @param {import("./values.js").Best | null} best */
  restore(steps, epochs, best) {
    this.reset();
    for (let i = 0; i + 2 < steps.length; i += 3) this.#pushStep(steps[i], steps[i + 1], steps[i + 2]);
    this.step.setData(/** @type {uPlot.AlignedData} */ (this.stepData));
    this.setEpochs(epochs, best);
  }

  /** @param {number} x @param {number} loss @param {number} accuracy
   * @param {number | null} learningRate (not kept in saved runs' step reports) */
  #pushStep(x, loss, accuracy, learningRate = null) {
    this.smoothLoss = this.smoothLoss === null ? loss : SMOOTHING * this.smoothLoss + (1 - SMOOTHING) * loss;
    this.smoothAcc = this.smoothAcc === null ? accuracy : SMOOTHING * this.smoothAcc + (1 - SMOOTHING) * accuracy;
    this.stepData[0].push(x);
    this.stepData[1].push(this.smoothLoss);
    this.stepData[2].push(this.smoothAcc);
    this.stepData[3].push(learningRate);
  }

  /** @param {EpochRecord} record */
  #pushEpoch(record) {
    this.epochData[0].push(record.epoch + 1);
    this.epochData[1].push(record.train.accuracy);
    this.epochData[2].push(record.test ? record.test.accuracy : null);
    this.epochData[3].push(record.train.loss);
    this.epochData[4].push(record.test ? record.test.loss : null);
  }

  /** @param {uPlot} u */
  #markBest(u) {
    const best = this.best;
    if (!best) return;
    const x = Math.round(u.valToPos(best.epoch + 1, "x", true));
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#2b8a3e";
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillStyle = "#2b8a3e";
    ctx.font = `${11 * devicePixelRatio}px sans-serif`;
    const label = t("chart.best", { accuracy: fmt.pct(best.accuracy, 1) });
    const width = ctx.measureText(label).width;
    const pad = 4 * devicePixelRatio;
    // Right of the line, or left of it when the best epoch is near the right edge.
    const lx = x + pad + width > u.bbox.left + u.bbox.width ? x - pad - width : x + pad;
    ctx.fillText(label, lx, top + 12 * devicePixelRatio);
    ctx.restore();
  }

  /** Points drawn so far (tests and screenshots use it). */
  get points() {
    return { steps: this.stepData[0].length, epochs: this.epochData[0].length };
  }
}
