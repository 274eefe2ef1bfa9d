// Live charts (uPlot): training loss and accuracy per step (smoothed), and accuracy per epoch.
import uPlot from "./vendor/uPlot.esm.js";

const SMOOTHING = 0.9;

function size(el) {
  return { width: Math.max(300, el.clientWidth || 480), height: 220 };
}

export class Charts {
  constructor(stepEl, epochEl) {
    this.stepEl = stepEl;
    this.epochEl = epochEl;
    this.reset();
    new ResizeObserver(() => {
      this.step.setSize(size(stepEl));
      this.epoch.setSize(size(epochEl));
    }).observe(stepEl);
  }

  reset() {
    this.stepData = [[], [], []];
    this.epochData = [[], [], []];
    this.smoothLoss = null;
    this.smoothAcc = null;
    this.stepEl.replaceChildren();
    this.epochEl.replaceChildren();
    this.step = new uPlot(
      {
        title: "Training (per step, smoothed)",
        ...size(this.stepEl),
        scales: { x: { time: false }, acc: { range: [0, 1] } },
        axes: [{ label: "epoch" }, { label: "loss" }, { side: 1, scale: "acc", label: "accuracy", grid: { show: false } }],
        series: [{ label: "epoch" }, { label: "loss", stroke: "#d9480f", width: 2 }, { label: "accuracy", stroke: "#1c7ed6", scale: "acc", width: 2 }],
      },
      this.stepData,
      this.stepEl,
    );
    this.epoch = new uPlot(
      {
        title: "Accuracy per epoch",
        ...size(this.epochEl),
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: "epoch" }, { label: "accuracy" }],
        series: [{ label: "epoch" }, { label: "train", stroke: "#1c7ed6", width: 2, points: { show: true } }, { label: "test", stroke: "#2b8a3e", width: 2, points: { show: true } }],
      },
      this.epochData,
      this.epochEl,
    );
  }

  addStep(event) {
    this.#pushStep(event.epoch + event.step / event.steps_per_epoch, event.loss, event.accuracy);
    this.step.setData(this.stepData);
  }

  addEpoch(event) {
    this.#pushEpoch(event);
    this.epoch.setData(this.epochData);
  }

  /** Redraw a saved run: its step reports (flat [x, loss, accuracy, …]) and epoch records. */
  restore(steps, history) {
    this.reset();
    for (let i = 0; i + 2 < steps.length; i += 3) this.#pushStep(steps[i], steps[i + 1], steps[i + 2]);
    for (const record of history) this.#pushEpoch(record);
    this.step.setData(this.stepData);
    this.epoch.setData(this.epochData);
  }

  #pushStep(x, loss, accuracy) {
    this.smoothLoss = this.smoothLoss === null ? loss : SMOOTHING * this.smoothLoss + (1 - SMOOTHING) * loss;
    this.smoothAcc = this.smoothAcc === null ? accuracy : SMOOTHING * this.smoothAcc + (1 - SMOOTHING) * accuracy;
    this.stepData[0].push(x);
    this.stepData[1].push(this.smoothLoss);
    this.stepData[2].push(this.smoothAcc);
  }

  #pushEpoch(record) {
    this.epochData[0].push(record.epoch + 1);
    this.epochData[1].push(record.train.accuracy);
    this.epochData[2].push(record.test ? record.test.accuracy : null);
  }

  /** Points drawn so far (tests and screenshots use it). */
  get points() {
    return { steps: this.stepData[0].length, epochs: this.epochData[0].length };
  }
}
