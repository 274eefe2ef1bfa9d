// build.sh copies node_modules/uplot/dist/uPlot.esm.js to dist/vendor/; its types for tsc.
export { default } from "uplot";
