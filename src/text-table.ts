/** Plain-text tables and number formats for terminal output (CLI, what-if, seed grid, bench). */

/** Columns padded to their widest cell; the first `leftColumns` left-aligned, the rest right-aligned. */
export function formatTable(rows: string[][], leftColumns = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** +0.123 / -0.123, or n/a for a missing or non-finite value. */
export function signed(x: number | undefined, digits = 3): string {
  return x !== undefined && Number.isFinite(x)
    ? `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`
    : 'n/a';
}

/** Fixed decimals, or n/a for a missing or non-finite value. */
export function fixed(x: number | undefined, digits = 4): string {
  return x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}
