/**
 * Colours of the model overview. Sequential: a viridis-like ramp (perceptually even, readable with
 * the common colour-vision deficiencies and in greyscale, lightness rising with the value) for the
 * dead / saturated share. Diverging: blue ↔ orange (a pair the red–green deficiencies keep apart)
 * around the theme's background, so "no drift" reads as empty. Pure (tested without a DOM).
 */
export type Rgb = [number, number, number];

/** Samples of viridis at t = 0, 1/8, …, 1 (the published colour map's values). */
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];
const NEGATIVE: Rgb = [33, 102, 172];
const POSITIVE: Rgb = [230, 97, 1];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
}

/** t in [0, 1] (clamped) → the sequential ramp. */
export function sequentialColor(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  return mix(VIRIDIS[i]!, VIRIDIS[i + 1]!, x - i);
}

/** t in [−1, 1] (clamped) → blue … `middle` … orange. */
export function divergingColor(t: number, middle: Rgb): Rgb {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  return mix(middle, x < 0 ? NEGATIVE : POSITIVE, Math.abs(x));
}

/** Steps in a lookup table: finer than the eye tells apart on an 8-bit display. */
export const LUT_STEPS = 256;

/**
 * The ramp as a table of LUT_STEPS colours (r, g, b each), so painting thousands of cells is a
 * lookup each: sequential for t = i / (LUT_STEPS − 1), diverging for t = 2i / (LUT_STEPS − 1) − 1.
 */
export function colorTable(kind: 'sequential' | 'diverging', middle: Rgb): Uint8ClampedArray {
  const table = new Uint8ClampedArray(3 * LUT_STEPS);
  for (let i = 0; i < LUT_STEPS; i++) {
    const t = i / (LUT_STEPS - 1);
    table.set(kind === 'sequential' ? sequentialColor(t) : divergingColor(2 * t - 1, middle), 3 * i);
  }
  return table;
}

export function cssRgb(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Relative luminance (WCAG), to test that the ramp's lightness rises monotonically. */
export function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}
