// The error banner at the top of the page: one message at a time, dismissed by the user.
import { $ } from "../ui.js";
import { showError } from "../words.js";

export function errorsPanel() {
  const box = $("error");
  $("error-close").onclick = () => (box.hidden = true);
  return {
    /** Show `err` (an Error or a message) in the banner and the console.
     * @param {unknown} err */
    show(err) {
      const message = showError($("error-text"), err);
      box.hidden = false;
      console.error(message);
    },
    clear() {
      box.hidden = true;
    },
  };
}

/** @typedef {ReturnType<typeof errorsPanel>} Errors */
