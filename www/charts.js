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
    const x = event.epoch + event.step / event.steps_per_epoch;
    this.smoothLoss = this.smoothLoss === null ? event.loss : SMOOTHING * this.smoothLoss + (1 - SMOOTHING) * event.loss;
    this.smoothAcc = this.smoothAcc === null ? event.accuracy : SMOOTHING * this.smoothAcc + (1 - SMOOTHING) * event.accuracy;
    this.stepData[0].push(x);
    this.stepData[1].push(this.smoothLoss);
    this.stepData[2].push(this.smoothAcc);
    this.step.setData(this.stepData);
  }

  addEpoch(event) {
    this.epochData[0].push(event.epoch + 1);
    this.epochData[1].push(event.train.accuracy);
    this.epochData[2].push(event.test ? event.test.accuracy : null);
    this.epoch.setData(this.epochData);
  }

  /** Points drawn so far (tests and screenshots use it). */
  get points() {
    return { steps: this.stepData[0].length, epochs: this.epochData[0].length };
  }
}
