// The update rule of gradient descent with the run's own learning rate α, typeset by KaTeX:
// plain SGD's w ← w − α∇J(w), or Adam's three lines when Adam is chosen. KaTeX builds the
// formula with DOM calls (no markup strings), which the page's content policy allows.
import katex from "../vendor/katex.js";
import { el } from "../ui.js";
import { t } from "../i18n/index.js";

/** The rule's lines, in TeX.
 * @param {string} optimizer "sgd" or "adam" */
export function ruleLines(optimizer) {
  if (optimizer !== "adam") return ["w \\leftarrow w - \\alpha \\nabla J(w)"];
  return [
    "m \\leftarrow \\beta_1 m + (1 - \\beta_1)\\, \\nabla J(w)",
    "v \\leftarrow \\beta_2 v + (1 - \\beta_2)\\, \\nabla J(w)^2",
    "w \\leftarrow w - \\alpha \\, \\frac{\\hat m}{\\sqrt{\\hat v} + \\epsilon}",
  ];
}

/** Write the rule of `optimizer` with α = `rate` into `element`.
 * @param {HTMLElement} element @param {string} optimizer @param {string} rate the form's text */
export function renderRule(element, optimizer, rate) {
  const lines = ruleLines(optimizer).map((tex) => {
    const line = el("div", { className: "rule-line" });
    katex.render(tex, line, { displayMode: true, throwOnError: false, output: "htmlAndMathml" });
    return line;
  });
  const alpha = el("div", { className: "rule-alpha" });
  const number = Number(rate);
  const value = rate && Number.isFinite(number) ? String(number) : "?";
  katex.render(`\\alpha = ${value}`, alpha, { throwOnError: false });
  const what = el("span", { className: "hint", textContent: ` ${t("learn.alpha_name")}` });
  alpha.append(what);
  const where = el("p", { className: "hint", textContent: t(optimizer === "adam" ? "learn.rule_adam" : "learn.rule_sgd") });
  element.replaceChildren(...lines, alpha, where);
  element.dataset.optimizer = optimizer;
  element.dataset.rate = value;
}
