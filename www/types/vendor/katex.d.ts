// scripts/wasm.sh copies node_modules/katex/dist/katex.mjs to dist/vendor/katex.js; its types for tsc.
export { default } from "katex";
