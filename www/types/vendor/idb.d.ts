// build.sh copies node_modules/idb/build/index.js to dist/vendor/idb.js; its types for tsc.
export * from "idb";
