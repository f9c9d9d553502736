/** Terminal output for the CLI: the progress bar and the final per-layer table. */
import type { Finding, Report } from './protocol';
import { formatTable, signed } from './text-table';
import { canDie } from './model/activation-families';

const pct = (f: number) => `${(100 * f).toFixed(1)}%`;

export function progressBar(
  step: number,
  total: number,
  loss: number,
  accuracy: number,
  sps: number,
  width = 28,
): string {
  const done = total > 0 ? Math.min(1, step / total) : 1;
  const filled = Math.round(done * width);
  // A regression model has no accuracy (NaN): nothing is printed for it rather than "NaN".
  const acc = Number.isNaN(accuracy) ? '' : `  acc ${accuracy.toFixed(3)}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total}  loss ${loss.toFixed(4)}${acc}  ${sps.toFixed(0)} samples/s`;
}

/**
 * The PARTIAL banner: the model analysed is not the whole file's model. Each omitted part with
 * what, why and file:line; empty when the model is complete.
 */
export function partialBanner(report: Report): string[] {
  const omitted = report.model.omitted ?? [];
  if (omitted.length === 0) return [];
  const rule = '!'.repeat(78);
  return [
    rule,
    `PARTIAL — ${omitted.length} part${omitted.length === 1 ? '' : 's'} of the file ${omitted.length === 1 ? 'was' : 'were'} left out of the model analysed; the numbers below describe the rest:`,
    ...omitted.map(
      (o) => `  ${o.source ? `${o.source.file}:${o.source.line}: ` : ''}${o.what} — ${o.reason}`,
    ),
    rule,
    '',
  ];
}

/** Which model of the file was analysed, and the others (`--model NAME`); empty for a file with one. */
export function modelChoice(report: Report): string[] {
  const others = report.model.alternatives ?? [];
  if (others.length === 0) return [];
  const where = (a: { name: string; source: { line: number } | null }) =>
    `${a.name}${a.source ? ` (line ${a.source.line})` : ''}`;
  return [
    `the file defines ${others.length + 1} models: analysed ${report.model.name}; the others: ${others.map(where).join(', ')} — choose one with --model NAME`,
  ];
}

/** Each output's loss and who chose it. */
export function lossLines(report: Report): string[] {
  return (report.losses ?? []).map(
    (l) =>
      `loss of ${l.output}: ${l.loss}${l.fromLogits ? ' (from logits)' : ''}${l.chosenBy === 'file' ? ', as the file says' : ` — chosen by the engine: ${l.note ?? ''}`}`,
  );
}

function verdict(findings: Finding[]): string {
  if (findings.length === 0) return 'ok';
  const f = findings[0]!;
  const label: Record<string, string> = {
    'dead-units': 'dead units',
    dying: 'dying',
    'never-fires': 'never fires',
    'mean-drift': 'mean drift',
    'non-finite': 'NaN/Inf',
    saturation: 'saturated',
    dormant: 'dormant',
  };
  const base = label[f.kind] ?? f.kind;
  return f.suggestion ? `${base} → try ELU` : base;
}

export function reportTable(report: Report): string {
  const header = ['layer', 'activation', 'units', 'dead', 'dormant', 'mean', 'drift', 'line', 'verdict'];
  const rows = report.layers.map((l) => {
    const first = l.meanDrift[0]?.mean ?? l.mean;
    const own = report.findings.filter((f) => f.layer === l.name);
    return [
      l.name,
      l.activation ?? 'linear',
      String(l.units),
      canDie(l.activation)
        ? `${l.dead.count} (${pct(l.dead.fraction)})`
        : l.saturated
          ? `sat ${l.saturated.count}`
          : '-',
      `${l.dormant.count}`,
      signed(l.mean),
      signed(l.mean - first),
      l.source ? String(l.source.line) : '-',
      verdict(own),
    ];
  });
  const t = report.training;
  const lastVal = t.valAccuracy[t.valAccuracy.length - 1];
  const lines = [
    ...partialBanner(report),
    `Activation Lens — ${report.model.name} (${report.model.origin}${report.model.file ? `: ${report.model.file}` : ''})${report.model.omitted?.length ? ' — PARTIAL' : ''}`,
    ...modelChoice(report),
    report.origin === 'live'
      ? `live run: ${report.backend} (${report.backendDetail}); the run's own data, probe set ${report.data.probe} (the first samples it trained on)`
      : `backend ${report.backend} (${report.backendDetail}); data ${report.data.name}: ${report.data.train} train, probe set ${report.data.probe}, validation ${report.data.validation}`,
    `trained ${t.steps} steps at ${t.samplesPerSecond.toFixed(0)} samples/s; probing took ${t.wallSeconds > 0 ? pct(t.probeSeconds / t.wallSeconds) : '0%'} of ${t.wallSeconds.toFixed(1)} s` +
      (t.loss.length ? `; final loss ${t.loss[t.loss.length - 1]!.toFixed(4)}` : '') +
      (lastVal !== undefined && !Number.isNaN(lastVal)
        ? `, validation accuracy ${lastVal.toFixed(4)}`
        : t.valLoss.length
          ? `, validation loss ${t.valLoss[t.valLoss.length - 1]!.toFixed(4)}`
          : '') +
      (report.cancelled ? ' (cancelled)' : ''),
    ...lossLines(report),
    '',
    formatTable([header, ...rows], 2),
    '',
    'dead = fired 0 times over every probe sample and spatial position; drift = mean now − mean at step 0.',
  ];
  if (report.findings.length) {
    lines.push('', 'Findings:');
    for (const f of report.findings) {
      const where = f.source ? ` (${f.source.file}:${f.source.line})` : '';
      lines.push(`  ${f.severity.padEnd(7)} ${f.message}${where}`);
      if (f.suggestion) {
        lines.push(
          `          suggestion: switch ${f.suggestion.layer} to ELU (α=${f.suggestion.alpha})${f.suggestion.heInit ? ' with He init' : ''}, with early stopping`,
        );
      }
    }
  }
  return lines.join('\n');
}
