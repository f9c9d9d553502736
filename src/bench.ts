/**
 * `npm run bench [-- --quick] [-- --json OUT] [-- --backend all|wasm|cpu|webgpu|tensorflow]`, or
 * `npm run bench -- --live torch|keras` (the live taps: src/live/live-bench.ts):
 * in one run, per backend, bare training vs instrumented training of the reference CNN (same data,
 * seed and steps), alternating A/B/B/A so drift on a shared machine hits both arms alike.
 * Reports medians: samples/s, probe cost, overhead.ratio = instrumented / bare time, time to the
 * first probe summary.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runArms } from './analysis/arm-runner';
import { prepare, type Prepared } from './analysis/prepare';
import { buildModel } from './model/build/build';
import type { BackendName, RunConfig } from './protocol';
import { defaultRunConfig } from './run-config';
import { Trainer } from './training/trainer';
import { formatTable } from './text-table';
import { liveBench } from './live/live-bench';

interface BackendResult {
  backend: string;
  detail: string;
  steps: number;
  batch: number;
  repeats: number;
  bareSeconds: number[];
  instrumentedSeconds: number[];
  probes: number[];
  probeSeconds: number[];
  firstProbeSeconds: number;
  samplesPerSecond: { bare: number; instrumented: number };
  probeCostInSteps: number;
  overhead: { ratio: number; ratios: number[] };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function bare(p: Prepared, config: RunConfig, steps: number): Promise<number> {
  const model = await buildModel(p.tf, p.spec, config.seed);
  const trainer = new Trainer(
    p.tf,
    model,
    p.splits,
    { batchSize: p.batchSize, seed: config.seed, optimizer: p.spec.training.optimizer },
    p.plan,
  );
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainer.step();
  const seconds = (performance.now() - t0) / 1000;
  trainer.dispose();
  model.dispose();
  return seconds;
}

async function instrumented(
  p: Prepared,
  config: RunConfig,
  steps: number,
): Promise<{ seconds: number; probes: number; probeSeconds: number; firstProbe: number }> {
  const model = await buildModel(p.tf, p.spec, config.seed);
  let probes = 0;
  let firstProbe = 0;
  const t0 = performance.now();
  const [run] = await runArms(
    { ...p, totalSteps: steps },
    [{ name: 'bench', spec: p.spec, model, layers: [] }],
    config,
    (e) => {
      if (e.type !== 'probe') return;
      if (probes === 0) firstProbe = (performance.now() - t0) / 1000;
      probes++;
    },
    { cancelled: false },
  );
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  return { seconds, probes, probeSeconds: run!.training.probeSeconds, firstProbe };
}

async function benchBackend(backend: BackendName, steps: number, repeats: number): Promise<BackendResult> {
  const config: RunConfig = { ...defaultRunConfig(), backend, example: 'mnist-cnn', validate: false, steps };
  const started = performance.now();
  const p = await prepare(config, () => undefined);
  const coldFirst = await instrumented(p, config, 2); // also warms kernels / shaders
  const firstProbeSeconds = (performance.now() - started) / 1000 - coldFirst.seconds + coldFirst.firstProbe;
  const bareSeconds: number[] = [];
  const inst: Awaited<ReturnType<typeof instrumented>>[] = [];
  for (let r = 0; r < repeats; r++) {
    // A B B A ordering across repeat pairs.
    if (r % 2 === 0) {
      bareSeconds.push(await bare(p, config, steps));
      inst.push(await instrumented(p, config, steps));
    } else {
      inst.push(await instrumented(p, config, steps));
      bareSeconds.push(await bare(p, config, steps));
    }
    process.stderr.write(
      `  ${p.backend.name} repeat ${r + 1}/${repeats}: bare ${bareSeconds[r]!.toFixed(2)} s, instrumented ${inst[r]!.seconds.toFixed(2)} s (${inst[r]!.probes} probes)\n`,
    );
  }
  const ratios = inst.map((x, i) => x.seconds / bareSeconds[i]!);
  const samples = steps * p.batchSize;
  const bareMedian = median(bareSeconds);
  const probeMedian = median(inst.map((x) => x.probeSeconds / x.probes));
  return {
    backend: p.backend.name,
    detail: p.backend.detail,
    steps,
    batch: p.batchSize,
    repeats,
    bareSeconds,
    instrumentedSeconds: inst.map((x) => x.seconds),
    probes: inst.map((x) => x.probes),
    probeSeconds: inst.map((x) => x.probeSeconds),
    firstProbeSeconds,
    samplesPerSecond: {
      bare: samples / bareMedian,
      instrumented: samples / median(inst.map((x) => x.seconds)),
    },
    probeCostInSteps: probeMedian / (bareMedian / steps),
    overhead: { ratio: median(ratios), ratios },
  };
}

function table(results: BackendResult[]): string {
  const rows = [
    [
      'backend',
      'steps×batch',
      'bare samples/s',
      'instr. samples/s',
      'overhead ratio',
      'probe (steps)',
      'probes/run',
      'first probe',
    ],
    ...results.map((r) => [
      `${r.backend} (${r.detail})`,
      `${r.steps}×${r.batch}`,
      r.samplesPerSecond.bare.toFixed(1),
      r.samplesPerSecond.instrumented.toFixed(1),
      r.overhead.ratio.toFixed(3),
      r.probeCostInSteps.toFixed(2),
      String(median(r.probes)),
      `${r.firstProbeSeconds.toFixed(2)} s`,
    ]),
  ];
  return formatTable(rows);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      repeats: { type: 'string' },
      steps: { type: 'string' },
      live: { type: 'string' },
      python: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  if (values.live !== undefined) {
    if (values.live !== 'torch' && values.live !== 'keras')
      throw new Error(`--live takes torch or keras, not '${values.live}'`);
    const int = (v: string | undefined) => (v === undefined ? null : Number(v));
    await liveBench(
      {
        framework: values.live,
        python: values.python ?? null,
        steps: int(values.steps),
        repeats: int(values.repeats),
        threads: int(values.threads),
        json: values.json ?? null,
      },
      resolve(__dirname, '..'),
    );
    return;
  }
  const quick = values.quick ?? false;
  // `all` leaves out the plain-JS cpu backend: one training step of the reference CNN takes ~100 s
  // there (measured: 2.3–2.6 samples/s); bench it explicitly with --backend cpu.
  const wanted =
    values.backend === 'all'
      ? (['tensorflow', 'webgpu', 'wasm'] as BackendName[])
      : [values.backend as BackendName];
  // Budgets per backend keep each arm around 10–50 s on two cores: a software WebGPU adapter trains
  // ~6× and the cpu backend ~150× slower than wasm. Short runs weigh the fixed step-0 and final probes
  // more, so their overhead ratio is an upper bound for longer runs.
  const FULL: Record<string, [number, number]> = {
    tensorflow: [300, 5],
    wasm: [60, 5],
    webgpu: [8, 3],
    cpu: [2, 1],
  };
  const QUICK: Record<string, [number, number]> = {
    tensorflow: [24, 3],
    wasm: [24, 3],
    webgpu: [4, 3],
    cpu: [1, 1],
  };
  const budget = (b: BackendName) => (quick ? QUICK : FULL)[b] ?? [20, 3];
  const stepsFor = (b: BackendName) => Number(values.steps ?? budget(b)[0]);
  const repeatsFor = (b: BackendName) => Number(values.repeats ?? budget(b)[1]);
  const results: BackendResult[] = [];
  const skipped: { backend: string; reason: string }[] = [];
  for (const backend of wanted) {
    process.stderr.write(`bench: ${backend}…\n`);
    try {
      results.push(await benchBackend(backend, stepsFor(backend), repeatsFor(backend)));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      skipped.push({ backend, reason });
      process.stderr.write(`  ${backend} not available: ${reason}\n`);
    }
  }
  if (results.length === 0)
    throw new Error(`no backend could run: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const fastest = [...results].sort((a, b) => b.samplesPerSecond.bare - a.samplesPerSecond.bare)[0]!;
  const out = {
    schema: 'activation-lens/bench@1',
    createdAt: new Date().toISOString(),
    machine,
    model: 'mnist-cnn (reference CNN)',
    overhead: fastest.overhead,
    results,
    skipped,
  };
  process.stdout.write(
    `\n${table(results)}\n\noverhead.ratio (${fastest.backend}, median of ${fastest.repeats}) = ${fastest.overhead.ratio.toFixed(3)}; goal ≤ 1.03\n`,
  );
  for (const s of skipped) process.stdout.write(`skipped ${s.backend}: ${s.reason}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
