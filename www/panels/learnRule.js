// The update rule of gradient descent with the run's own learning rate α: plain SGD's
// w ← w − α∇J(w), or Adam's three lines when Adam is chosen.
import { el } from "../ui.js";
import { t } from "../i18n/index.js";

/** The rule's lines, as text.
 * @param {string} optimizer "sgd" or "adam" */
export function ruleLines(optimizer) {
  if (optimizer !== "adam") return ["w ← w − α ∇J(w)"];
  return [
    "m ← β₁ m + (1 − β₁) ∇J(w)",
    "v ← β₂ v + (1 − β₂) (∇J(w))²",
    "w ← w − α m̂ / (√v̂ + ε)",
  ];
}

/** Write the rule of `optimizer` with α = `rate` into `element`.
 * @param {HTMLElement} element @param {string} optimizer @param {string} rate the form's text */
export function renderRule(element, optimizer, rate) {
  const lines = ruleLines(optimizer).map((line) => el("div", { className: "rule-line", textContent: line }));
  const alpha = el("div", { className: "rule-alpha", textContent: t("learn.alpha", { rate: rate || "–" }) });
  const where = el("p", { className: "hint", textContent: t(optimizer === "adam" ? "learn.rule_adam" : "learn.rule_sgd") });
  element.replaceChildren(...lines, alpha, where);
  element.dataset.optimizer = optimizer;
  element.dataset.rate = rate;
}
