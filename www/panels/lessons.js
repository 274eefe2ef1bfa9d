// The seed text's lessons as experiments, in its order: activation functions, gradient descent
// and the learning rate, overfitting, the black box, and a learning rate that changes during
// training. Each is a paragraph and one button that sets the experiment up through the URL's
// settings (panels/settings.js reads the hash), so that the link reproduces it.
import { $, el } from "../ui.js";
import { onLanguage, t } from "../i18n/index.js";

/** Each lesson's settings, as the URL hash names them; the others keep their defaults. The
 * runs are short: a subset of the training set, a few epochs.
 * @type {{id: string, settings: Record<string, string>}[]} */
export const LESSONS = [
  { id: "activation", settings: { model: "seed", lr_schedule: "constant", activation: "sigmoid", optimizer: "adam", learning_rate: "0.001", epochs: "3", train_limit: "10000", augment: "false" } },
  { id: "learning_rate", settings: { model: "seed", lr_schedule: "constant", activation: "relu", optimizer: "sgd", learning_rate: "0.5", epochs: "2", train_limit: "10000", augment: "false" } },
  { id: "overfitting", settings: { model: "seed", lr_schedule: "constant", activation: "relu", optimizer: "adam", learning_rate: "0.001", epochs: "15", train_limit: "2000", augment: "false", early_stopping: "false" } },
  { id: "black_box", settings: { model: "seed" } },
  { id: "schedule", settings: { model: "seed", activation: "relu", optimizer: "sgd", learning_rate: "0.05", lr_schedule: "cosine", epochs: "6", train_limit: "10000" } },
];

/**
 * @param {{onBlackBox: () => void}} deps `onBlackBox` opens a unit of the drawing (the black-box
 *   lesson looks inside instead of training).
 */
export function lessonsPanel({ onBlackBox }) {
  const list = $("lessons");
  const draw = () =>
    list.replaceChildren(
      ...LESSONS.map((lesson, i) => {
        const button = el("button", { type: "button", textContent: t(`lesson.${lesson.id}.button`), onclick: () => start(lesson) });
        const item = el("li", {},
          el("h3", { textContent: `${i + 1}. ${t(`lesson.${lesson.id}.title`)}` }),
          el("p", { textContent: t(`lesson.${lesson.id}.text`) }),
          button);
        item.dataset.lesson = lesson.id;
        return item;
      }),
    );
  draw();
  onLanguage(draw);

  /** Set the lesson's experiment up: its settings into the URL (the form follows), the
   * network menu's change announced, and for the black box a unit opened.
   * @param {{id: string, settings: Record<string, string>}} lesson */
  function start(lesson) {
    const model = /** @type {HTMLSelectElement} */ ($("model"));
    const before = model.value;
    location.hash = new URLSearchParams(lesson.settings).toString();
    // hashchange fills the form; the network follows the menu as if picked.
    addEventListener("hashchange", () => before !== model.value && model.dispatchEvent(new Event("change")), { once: true });
    list.dataset.started = lesson.id;
    if (lesson.id === "black_box") onBlackBox();
    else $("run-bar").scrollIntoView({ behavior: "smooth", block: "start" });
  }
}
