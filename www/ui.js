// Small DOM helpers shared by the panels.

/** The element with this id. Lookups are not type-checked: the page's markup is index.html.
 * @param {string} id
 * @returns {any} */
export const $ = (id) => document.getElementById(id);

/** A new element with `props` set and `children` (elements or text, never markup) appended.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Partial<HTMLElementTagNameMap[K]> | null} [props]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]} */
export function el(tag, props = null, ...children) {
  const element = Object.assign(document.createElement(tag), props ?? {});
  element.append(...children);
  return element;
}

/** Call `onFiles` with the files dropped on `element`.
 * @param {HTMLElement} element
 * @param {(files: FileList) => void} onFiles */
export function makeDropZone(element, onFiles) {
  element.addEventListener("dragover", (e) => {
    e.preventDefault();
    element.classList.add("over");
  });
  element.addEventListener("dragleave", () => element.classList.remove("over"));
  element.addEventListener("drop", (e) => {
    e.preventDefault();
    element.classList.remove("over");
    if (e.dataTransfer?.files.length) onFiles(e.dataTransfer.files);
  });
}
