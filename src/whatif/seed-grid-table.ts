/** The seed article's published grid (docs/elu.md "The MachineCurve experiment") and our grid printed beside it. */
import type { SeedGridResult } from './seed-grid';
import { fixed, formatTable, signed } from '../text-table';
import { canDie, saturates } from '../model/activation-families';

/** MachineCurve's Keras CNN on MNIST: 25 epochs, batch 250, Adam, dropout 0.25, 60k train, 10k test. */
export const PUBLISHED: { name: string; testLoss: number; testAccuracy: number }[] = [
  { name: 'ReLU / Glorot', testLoss: 0.0308, testAccuracy: 0.9915 },
  { name: 'ELU / Glorot', testLoss: 0.0492, testAccuracy: 0.9906 },
  { name: 'ReLU / He', testLoss: 0.0305, testAccuracy: 0.9918 },
  { name: 'ELU / He', testLoss: 0.0293, testAccuracy: 0.9922 },
];

const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
const f4 = (x: number | undefined) => fixed(x, 4);

export function seedGridTable(r: SeedGridResult): string {
  const budget = `${r.budget.epochs !== null ? `${r.budget.epochs} epoch${r.budget.epochs === 1 ? '' : 's'} = ` : ''}${r.budget.steps} steps of batch ${r.budget.batch} (${r.budget.samplesPerArm.toLocaleString('en-US')} samples per arm)`;
  const main = [
    ['arm', 'test loss', 'test acc', 'seed: loss', 'seed: acc', 'train loss', 'ms/step'],
    ...r.arms.map((a) => {
      const p = PUBLISHED.find((x) => x.name === a.name);
      return [
        a.name,
        f4(a.testLoss),
        f4(a.testAccuracy),
        f4(p?.testLoss),
        f4(p?.testAccuracy),
        f4(a.trainLoss),
        a.msPerStep.toFixed(1),
      ];
    }),
  ];
  const layerNames = r.arms[0]?.layers.map((l) => l.layer) ?? [];
  const perLayer = [
    ['arm', ...layerNames.flatMap((n) => [`${n} dead`, `${n} mean`])],
    ...r.arms.map((a) => [
      a.name,
      ...layerNames.flatMap((n) => {
        const l = a.layers.find((x) => x.layer === n);
        if (!l) return ['-', '-'];
        const dead = canDie(l.activation)
          ? pct(l.deadFraction)
          : saturates(l.activation)
            ? `sat ${pct(l.saturatedFraction)}`
            : '-';
        return [dead, signed(l.mean)];
      }),
    ]),
  ];
  return [
    `Seed grid — ${r.model} on ${r.data.name}: ${r.data.train.toLocaleString('en-US')} train, ${r.data.test.toLocaleString('en-US')} held-out test, probe set ${r.data.probe}`,
    `budget ${budget}; seed ${r.seed}; backend ${r.backend} (${r.backendDetail}); ELU α=${r.alpha}; switched/re-initialised: ${r.switched.join(', ')}; ${r.wallSeconds.toFixed(0)} s${r.cancelled ? ' (cancelled)' : ''}`,
    '',
    formatTable(main),
    ...r.arms
      .filter((a) => a.diverged !== null)
      .map(
        (a) =>
          `${a.name} DIVERGED (${a.diverged}): its numbers say nothing about the activation; lower the learning rate.`,
      ),
    '',
    'seed = the MachineCurve article: 25 epochs on MNIST (60,000 digits, validation split 0.2, so 48,000 trained on), tested on 10,000 (docs/elu.md).',
    '',
    'Per layer at the end (dead = fired 0 times on the probe set; ELU cannot die, sat = every output within 1% of −α):',
    formatTable(perLayer),
  ].join('\n');
}
