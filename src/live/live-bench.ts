/**
 * `npm run bench -- --live torch|keras [--steps S] [--repeats R] [--threads N] [--python PY]`: the
 * overhead of the live taps on the seed CNN in that framework, measured by the Python side
 * (`python -m activation_lens.bench`: bare and instrumented training alternating in one process),
 * and the time from starting the training process to its first histogram arriving at the real
 * listener (src/live/listener.ts: hello, token, validation and all). Printed in the style of the
 * engine's bench table; `--json OUT` writes both.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../text-table';
import { LiveListener } from './listener';
import { bundledPythonDir, withPythonPath } from './python-package';

export interface LiveBenchOptions {
  framework: 'torch' | 'keras';
  python: string | null;
  steps: number | null;
  repeats: number | null;
  threads: number | null;
  json: string | null;
}

/** What `python -m activation_lens.bench --json` writes (the fields read here). */
interface PythonBench {
  framework: string;
  steps: number;
  repeats: number;
  ratios: number[];
  median: number;
  min: number;
  max: number;
  cpuRatios: number[];
  cpuMedian: number;
  cpuMin: number;
  cpuMax: number;
  probeShares: number[];
  probeShareMedian: number;
  bareSecondsPerStep: number;
  probes: number[];
  firstProbeSeconds: number | null;
  loadAverage: number[] | null;
}

/** The Python to bench with: --python, ACTIVATION_LENS_PYTHON, the repository's .venv, python3. */
function benchPython(given: string | null, root: string): string {
  if (given) return given;
  if (process.env.ACTIVATION_LENS_PYTHON) return process.env.ACTIVATION_LENS_PYTHON;
  const venv = join(root, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

function run(
  python: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  inherit: boolean,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', inherit ? 'inherit' : 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
}

/** Seconds from spawning `python -m activation_lens run script` to its first probe event at the listener. */
async function firstHistogramSeconds(
  python: string,
  env: NodeJS.ProcessEnv,
  script: string,
): Promise<number | null> {
  let arrived: number | null = null;
  const listener = await LiveListener.start({
    log: () => undefined,
    handler: {
      onEvent: (e) => {
        if (e.type === 'probe' && arrived === null && e.layers.length > 0) arrived = performance.now();
      },
      onEnd: () => undefined,
    },
  });
  try {
    const t0 = performance.now();
    const code = await run(
      python,
      ['-m', 'activation_lens', 'run', script],
      { ...env, ...listener.environment() },
      false,
    );
    if (code !== 0) throw new Error(`the first-histogram script exited with code ${code}`);
    return arrived === null ? null : ((arrived as number) - t0) / 1000;
  } finally {
    await listener.close();
  }
}

export async function liveBench(options: LiveBenchOptions, root: string): Promise<void> {
  const pythonDir = bundledPythonDir(join(root, 'dist'));
  if (!pythonDir) throw new Error('python/activation_lens is missing');
  const python = benchPython(options.python, root);
  const folder = mkdtempSync(join(tmpdir(), 'al-live-bench-'));
  // The taps write their own report per run: into the scratch folder, not the home folder.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: folder,
    PYTHONPATH: withPythonPath(process.env, pythonDir),
    TF_CPP_MIN_LOG_LEVEL: '3',
    ACTIVATION_LENS_ADDRESS: '',
    ACTIVATION_LENS_TOKEN: '',
  };
  if (options.threads)
    for (const v of ['OMP_NUM_THREADS', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS'])
      env[v] = String(options.threads);
  try {
    const out = join(folder, 'python-bench.json');
    const args = [
      '-m',
      'activation_lens.bench',
      '--framework',
      options.framework,
      '--json',
      out,
      '--no-first-probe',
    ];
    if (options.steps) args.push('--steps', String(options.steps));
    if (options.repeats) args.push('--repeats', String(options.repeats));
    if (options.threads) args.push('--threads', String(options.threads));
    process.stderr.write(`bench --live ${options.framework}: ${python} ${args.join(' ')}\n`);
    const load0 = loadavg();
    const code = await run(python, args, env, true);
    if (code !== 0) throw new Error(`python -m activation_lens.bench exited with code ${code}`);
    const measured = JSON.parse(readFileSync(out, 'utf8')) as PythonBench;
    // The seed CNN's short run from the Python bench, through the real listener this time.
    const script = join(folder, `first_${options.framework}.py`);
    const source = await new Promise<string>((resolve, reject) => {
      let text = '';
      const child = spawn(
        python,
        [
          '-c',
          `import sys; from activation_lens.bench import FIRST_PROBE_SCRIPTS; sys.stdout.write(FIRST_PROBE_SCRIPTS[${JSON.stringify(options.framework)}])`,
        ],
        { env, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('error', reject);
      child.on('close', (c) => (c === 0 ? resolve(text) : reject(new Error(`exit ${c}`))));
    });
    writeFileSync(script, source);
    const firstHistogram = await firstHistogramSeconds(python, env, script);
    const load1 = loadavg();
    const range = (m: number, lo: number, hi: number) =>
      `${m.toFixed(3)} (${lo.toFixed(3)}–${hi.toFixed(3)})`;
    const shares = measured.probeShares;
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const rows = [
      [
        'framework',
        'steps×repeats',
        'wall ratio (range)',
        'CPU ratio (range)',
        'probe share (range)',
        'probes/run (median)',
        'first histogram',
      ],
      [
        options.framework,
        `${measured.steps}×${measured.repeats}`,
        range(measured.median, measured.min, measured.max),
        range(measured.cpuMedian, measured.cpuMin, measured.cpuMax),
        `${pct(measured.probeShareMedian)} (${pct(Math.min(...shares))}–${pct(Math.max(...shares))})`,
        String([...measured.probes].sort((a, b) => a - b)[Math.floor(measured.probes.length / 2)] ?? 0),
        firstHistogram === null ? 'none arrived' : `${firstHistogram.toFixed(2)} s`,
      ],
    ];
    const load = `load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${load1.map((x) => x.toFixed(2)).join(' ')} after`;
    process.stdout.write(
      `\n${formatTable(rows)}\n\noverhead ratio (${options.framework}, instrumented / bare wall time, median of ${measured.repeats}) = ${measured.median.toFixed(3)}; goal ≤ 1.03\n${load}\n`,
    );
    if (options.json)
      writeFileSync(
        options.json,
        `${JSON.stringify({ schema: 'activation-lens/live-bench@1', createdAt: new Date().toISOString(), python, ...measured, firstHistogramSeconds: firstHistogram, loadAverageBefore: load0, loadAverageAfter: load1 }, null, 2)}\n`,
      );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
