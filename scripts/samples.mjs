// Writes www/samples/cifar10-test.bin: the first image of each class from CIFAR-10's test set
// (test_batch.bin), ten records in the official layout (a label byte, then 1,024 red, green
// and blue bytes). The page opens with one of them flowing through the network, and offers
// the others, before any dataset is loaded. Run: node scripts/samples.mjs [ARCHIVE]
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const archive = process.argv[2] || path.join(root, "..", "shared", "cifar10", "cifar-10-binary.tar.gz");
const tar = gunzipSync(readFileSync(archive));
const RECORD = 3073;
// A tar member: a 512-byte header (name at 0, octal size at 124), then its bytes padded to 512.
for (let at = 0; at + 512 <= tar.length; ) {
  const name = tar.subarray(at, at + 100).toString().replace(/\0.*$/s, "");
  const size = parseInt(tar.subarray(at + 124, at + 136).toString().trim(), 8) || 0;
  if (name.endsWith("test_batch.bin")) {
    const batch = tar.subarray(at + 512, at + 512 + size);
    const picked = [];
    for (let cls = 0; cls < 10; cls++) {
      for (let i = 0; i < batch.length / RECORD; i++) {
        if (batch[i * RECORD] === cls) {
          picked.push(batch.subarray(i * RECORD, (i + 1) * RECORD));
          break;
        }
      }
    }
    writeFileSync(path.join(root, "www", "samples", "cifar10-test.bin"), Buffer.concat(picked));
    console.log(`www/samples/cifar10-test.bin: ${picked.length} CIFAR-10 test images, one per class`);
    process.exit(0);
  }
  at += 512 + Math.ceil(size / 512) * 512;
}
console.error(`no test_batch.bin in ${archive}`);
process.exit(1);
