// Every colour of media/dashboard.css: the chart series palette keeps 3:1 contrast (WCAG's
// non-text minimum) on each theme kind's backgrounds and stays apart under protanopia,
// deuteranopia and tritanopia (Machado et al. 2009, severity 1); every other colour is a VS Code
// theme variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CSS = readFileSync(join(__dirname, '..', '..', '..', 'media', 'dashboard.css'), 'utf8');

type Rgb = [number, number, number];

/** The --al-chart-* declarations of the rule whose selector starts with `selector`. */
function palette(selector: string): Record<string, string> {
  const at = CSS.indexOf(`${selector}`);
  assert.ok(at >= 0, `no rule ${selector}`);
  const body = CSS.slice(CSS.indexOf('{', at) + 1, CSS.indexOf('}', at));
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/--al-chart-(\w+):\s*(#[0-9a-f]{6});/g)) out[m[1]!] = m[2]!;
  return out;
}

const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const linear = (c: number) => {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const luminance = (hex: string) => {
  const [r, g, b] = rgb(hex).map(linear) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

/** Machado, Oliveira & Fernandes 2009, severity 1.0, on linear RGB. */
const DEFICIENCIES: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
  'normal vision': [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

/** CIELAB (D65) of a colour as someone with `m`'s deficiency sees it. */
function seenAs(hex: string, m: number[][]): Rgb {
  const c = rgb(hex).map(linear);
  const [r, g, b] = m.map((row) =>
    Math.min(1, Math.max(0, row[0]! * c[0]! + row[1]! * c[1]! + row[2]! * c[2]!)),
  );
  const x = (0.4124 * r! + 0.3576 * g! + 0.1805 * b!) / 0.95047;
  const y = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  const z = (0.0193 * r! + 0.1192 * g! + 0.9505 * b!) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const deltaE = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

const KINDS = [
  // VS Code's Dark Modern (editor, sidebar), High Contrast.
  { name: 'dark', selector: 'body {', backgrounds: ['#1f1f1f', '#181818', '#000000'] },
  // Light Modern (editor, sidebar), High Contrast Light.
  { name: 'light', selector: 'body.vscode-light,', backgrounds: ['#ffffff', '#f8f8f8'] },
];

for (const kind of KINDS) {
  test(`${kind.name} themes: every series colour keeps 3:1 on the background`, () => {
    const colours = palette(kind.selector);
    assert.deepEqual(Object.keys(colours).sort(), ['blue', 'green', 'orange', 'purple', 'red', 'yellow']);
    for (const [slot, hex] of Object.entries(colours))
      for (const bg of kind.backgrounds)
        assert.ok(contrast(hex, bg) >= 3, `${slot} ${hex} on ${bg}: ${contrast(hex, bg).toFixed(2)}:1`);
  });

  test(`${kind.name} themes: the series stay apart for the three colour-vision deficiencies`, () => {
    const colours = Object.entries(palette(kind.selector));
    for (const [deficiency, m] of Object.entries(DEFICIENCIES)) {
      let closest = { d: Infinity, pair: '' };
      for (let i = 0; i < colours.length; i++)
        for (let j = i + 1; j < colours.length; j++) {
          const d = deltaE(seenAs(colours[i]![1], m), seenAs(colours[j]![1], m));
          if (d < closest.d) closest = { d, pair: `${colours[i]![0]}/${colours[j]![0]}` };
        }
      // ΔE*ab 15: well past "clearly different" (about 10) for thin lines side by side.
      assert.ok(closest.d >= 15, `${deficiency}: ${closest.pair} ΔE ${closest.d.toFixed(1)}`);
    }
  });
}

test('every other colour in the stylesheet is a VS Code theme variable (a literal only as its fallback)', () => {
  const literals = [...CSS.matchAll(/#[0-9a-fA-F]{3,8}\b|rgba?\(/g)].map((m) => {
    const line = CSS.slice(CSS.lastIndexOf('\n', m.index) + 1, CSS.indexOf('\n', m.index)).trim();
    return line;
  });
  const stray = literals.filter(
    (line) =>
      !/^--al-chart-\w+: #[0-9a-f]{6};$/.test(line) && !/var\(--vscode-[\w-]+, #[0-9a-f]{6}\)/.test(line),
  );
  assert.deepEqual(stray, []);
});
