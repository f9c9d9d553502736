/** Terminal output for `analyze --what-if elu`: the two arms side by side, then the verdict. */
import type { WhatIfReport } from '../protocol';
import type { WhatIfArmDetail } from './what-if-types';
import { fixed, formatTable, signed } from '../text-table';
import { canDie, saturates } from '../model/activation-families';

const last = (xs: number[]) => xs[xs.length - 1];

function units(l: WhatIfArmDetail['final'][number] | undefined): string {
  if (!l) return '-';
  if (canDie(l.activation)) return `dead ${l.dead}`;
  // Saturation is measured for the ELU family only (units pinned at −α).
  if (saturates(l.activation)) return `sat ${l.saturated}`;
  return '-';
}

export function whatIfTable(whatIf: WhatIfReport): string {
  const [a, b] = whatIf.arms as WhatIfArmDetail[];
  if (!a || !b) return '';
  const header = [
    'layer',
    `${a.name} act`,
    `${b.name} act`,
    `${a.name} dead/sat`,
    `${b.name} dead/sat`,
    `${a.name} mean`,
    `${b.name} mean`,
    `${a.name} drift`,
    `${b.name} drift`,
    `${a.name} dormant`,
    `${b.name} dormant`,
  ];
  const rows = a.final.map((ra) => {
    const rb = b.final.find((l) => l.layer === ra.layer);
    return [
      `${ra.layer}${rb?.switched ? ' *' : ''}`,
      ra.activation,
      rb?.activation ?? '-',
      units(ra),
      units(rb),
      signed(ra.mean),
      signed(rb?.mean),
      signed(ra.mean - ra.mean0),
      rb ? signed(rb.mean - rb.mean0) : 'n/a',
      String(ra.dormant),
      rb ? String(rb.dormant) : '-',
    ];
  });
  const ta = a.training;
  const tb = b.training;
  const overall = [
    ['', a.name, b.name],
    ['steps', String(ta.steps), String(tb.steps)],
    ['final train loss', fixed(last(ta.loss)), fixed(last(tb.loss))],
    ['validation loss', fixed(last(ta.valLoss)), fixed(last(tb.valLoss))],
    ['validation accuracy', fixed(last(ta.valAccuracy)), fixed(last(tb.valAccuracy))],
    ['ms per step (median)', fixed(a.msPerStep, 1), fixed(b.msPerStep, 1)],
  ];
  const v = whatIf.verdict;
  const lines = [
    `What-if: ${a.name} vs ${b.name} (* = switched to ELU), same initial weights where shapes match, same batches, probe set and budget`,
    '',
    formatTable([header, ...rows]),
    '',
    formatTable(overall),
    '',
    `Verdict: ${v.summary}`,
    ...v.details.map((d) => `  - ${d}`),
  ];
  if (v.earlyStopping)
    lines.push(
      '  Recommendation: train with early stopping on validation loss and keep the best checkpoint.',
    );
  return lines.join('\n');
}
