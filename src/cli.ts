/**
 * `activation-lens analyze [FILE] [--example mnist-cnn] [--data digits|fashion|PATH] [--steps N |
 * --epochs N] [--batch N] [--probe N] [--every K] [--backend auto|tensorflow|webgpu|wasm|cpu]
 * [--seed S] [--json OUT] [--html OUT] [--events]` — the headless main job and the contract tests rely on.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CancelToken } from './analysis/arm-runner';
import { runAnalysis } from './analysis/run-analysis';
import { showNativeLogs } from './backend/native-logs';
import { progressBar, reportTable } from './cli-format';
import { CANCELLED_EXIT, cancelOnSignals } from './cli-signals';
import { TRAINING_OPTIONS, singleModelFile } from './cli-options';
import { UserError, isUserError } from './errors';
import { createEmitter, type BackendName, type EngineEvent, type Report, type RunConfig } from './protocol';
import { BACKENDS, defaultRunConfig } from './run-config';
import { runWhatIf } from './whatif/run-what-if';
import { whatIfTable } from './whatif/what-if-table';
import { seedGridCommand, SEED_GRID_USAGE } from './whatif/seed-grid-command';
import { applyEngineEvent, emptyDashboardState } from './dashboard-state';
import { reportHtml, reportMessages } from './report-html';
import { readReportAssets, reportNonce } from './report-assets';

/** Finished, but the model analysed is partial: parts of the file were left out (ModelSpec.omitted). */
export const PARTIAL_EXIT = 3;
import { watchCommand, WATCH_USAGE } from './live/watch-command';
import { reportCommand, REPORT_USAGE } from './live/report-command';

const USAGE = `usage: activation-lens analyze [FILE] [--example mnist-cnn] [--data digits|fashion|PATH]
         [--model NAME] [--input-shape 28,28,1]
         [--steps N | --epochs N] [--batch N] [--probe N] [--every K]
         [--backend auto|tensorflow|webgpu|wasm|cpu] [--seed S] [--lr RATE]
         [--what-if elu [--layers a,b] [--alpha A]]
         [--json OUT] [--html OUT] [--events] [--no-validate] [--debug]
       ${SEED_GRID_USAGE.replace('usage: ', '')}
       ${WATCH_USAGE.replace('usage: ', '')}
       ${REPORT_USAGE.replace('usage: ', '')}`;

function integer(name: string, value: string | undefined, min: number): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UserError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** `--input-shape 28,28,1`: the per-sample shape, channels-last, as positive integers. */
function shape(value: string | undefined): number[] | null {
  if (value === undefined) return null;
  const dims = value.split(',').map((d) => Number(d.trim()));
  if (
    dims.length === 0 ||
    dims.length > 4 ||
    dims.some((d) => !Number.isInteger(d) || d < 1 || d > 1_000_000)
  )
    throw new UserError(
      `--input-shape must be 1 to 4 positive integers separated by commas, got '${value}'`,
      null,
      null,
      'per sample and channels-last, e.g. --input-shape 28,28,1 (images), 784 (vectors) or 200 (tokens)',
    );
  return dims;
}

function number(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError(`--${name} must be a positive number, got '${value}'`);
  return n;
}

export function parseAnalyzeArgs(argv: string[]): {
  config: RunConfig;
  json: string | null;
  html: string | null;
  events: boolean;
  debug: boolean;
} {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...TRAINING_OPTIONS,
      example: { type: 'string' },
      data: { type: 'string' },
      model: { type: 'string' },
      'input-shape': { type: 'string' },
      every: { type: 'string' },
      lr: { type: 'string' },
      'overhead-budget': { type: 'string' },
      'dead-threshold': { type: 'string' },
      'what-if': { type: 'string' },
      layers: { type: 'string' },
      alpha: { type: 'string' },
      html: { type: 'string' },
      events: { type: 'boolean', default: false },
      'no-validate': { type: 'boolean', default: false },
    },
  });
  const file = singleModelFile(positionals);
  const config = defaultRunConfig();
  if (file && values.example) throw new UserError('give either a model FILE or --example, not both');
  config.file = file ? resolve(file) : null;
  config.example = file ? null : (values.example ?? 'mnist-cnn');
  if ((values.model !== undefined || values['input-shape'] !== undefined) && !file)
    throw new UserError(
      '--model and --input-shape need a model FILE',
      null,
      null,
      'give the model file to analyze',
    );
  if (values.model !== undefined) {
    if (values.model.trim() === '') throw new UserError('--model needs a name, e.g. --model discriminator');
    config.model = values.model.trim();
  }
  const inputShape = shape(values['input-shape']);
  if (inputShape) config.inputShape = inputShape;
  if (values.data)
    config.data = ['digits', 'fashion', 'mnist', 'fashion_mnist'].includes(values.data)
      ? values.data
      : resolve(values.data);
  if (values.steps !== undefined && values.epochs !== undefined)
    throw new UserError('give --steps or --epochs, not both');
  config.steps = integer('steps', values.steps, 0);
  config.epochs = integer('epochs', values.epochs, 1);
  config.batch = integer('batch', values.batch, 1);
  config.probe = integer('probe', values.probe, 1) ?? config.probe;
  config.every = integer('every', values.every, 1);
  config.seed = integer('seed', values.seed, 0) ?? config.seed;
  config.learningRate = number('lr', values.lr);
  config.overheadBudget = number('overhead-budget', values['overhead-budget']) ?? config.overheadBudget;
  config.deadThreshold = number('dead-threshold', values['dead-threshold']) ?? config.deadThreshold;
  config.eluAlpha = number('alpha', values.alpha) ?? config.eluAlpha;
  if (values.backend) {
    if (!BACKENDS.includes(values.backend as BackendName))
      throw new UserError(
        `unknown backend '${values.backend}'`,
        null,
        null,
        `choose one of ${BACKENDS.join(', ')}`,
      );
    config.backend = values.backend as BackendName;
  }
  if (values['what-if'] !== undefined) {
    if (values['what-if'] !== 'elu')
      throw new UserError(`--what-if supports 'elu', got '${values['what-if']}'`);
    config.whatIf = 'elu';
  }
  if (values.layers)
    config.whatIfLayers = values.layers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (values['no-validate']) config.validate = false;
  return {
    config,
    json: values.json ? resolve(values.json) : null,
    html: values.html ? resolve(values.html) : null,
    events: values.events ?? false,
    debug: values.debug ?? false,
  };
}

async function analyze(argv: string[]): Promise<number> {
  const { config, json, html, events, debug } = parseAnalyzeArgs(argv);
  // The dashboard bundle is read before training, so a missing one is said at once.
  const share = html ? htmlReport(html) : null;
  const tty = process.stderr.isTTY && !events;
  const cancel: CancelToken = { cancelled: false };
  cancelOnSignals(cancel, 'cancelling after this step…');
  const emit = createEmitter(`cli-${process.pid}`, (e: EngineEvent) => {
    share?.collect(e);
    if (events) process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (e.type === 'progress' && tty)
      process.stderr.write(
        `\r${e.arm ? `${e.arm.padEnd(4)} ` : ''}${progressBar(e.step, e.totalSteps, e.loss, e.accuracy, e.samplesPerSecond)}`,
      );
    else if (e.type === 'log' && (e.level === 'warn' || debug)) process.stderr.write(`${e.message}\n`);
  });
  let report: Report;
  try {
    report =
      config.whatIf === 'elu'
        ? await runWhatIf(config, emit, cancel)
        : await runAnalysis(config, emit, cancel);
  } catch (e) {
    const ue = isUserError(e) ? e : null;
    emit({
      type: 'error',
      message: ue ? ue.format() : String(e),
      file: ue?.file ?? null,
      line: ue?.line ?? null,
    });
    throw e;
  }
  if (tty) process.stderr.write('\n');
  // A second Ctrl-C pressed during the final probe gets its turn here: it quits without a report.
  await new Promise((resolve) => setImmediate(resolve));
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  emit({ type: 'run-finished', report });
  share?.write();
  if (!events)
    process.stdout.write(
      `${reportTable(report)}\n${report.whatIf ? `\n${whatIfTable(report.whatIf)}\n` : ''}${json ? `\nreport written to ${json}\n` : ''}${html ? `${json ? '' : '\n'}HTML report written to ${html}\n` : ''}`,
    );
  if (report.cancelled) return CANCELLED_EXIT;
  const omitted = report.model.omitted?.length ?? 0;
  if (omitted > 0) {
    // Partial is never a quiet success: scripts see exit 3, a person the banner and this line.
    if (!events)
      process.stderr.write(
        `activation-lens: PARTIAL model: ${omitted} part${omitted === 1 ? '' : 's'} of ${report.model.file ?? 'the file'} left out of the analysis (listed above); exit ${PARTIAL_EXIT}\n`,
      );
    return PARTIAL_EXIT;
  }
  return 0;
}

/** `--html OUT`: the run's events folded into the dashboard's state, written as one self-contained page. */
function htmlReport(out: string) {
  const assets = readReportAssets();
  let state = emptyDashboardState();
  return {
    collect: (e: EngineEvent) => {
      state = applyEngineEvent(state, e);
    },
    write: () => {
      const title = `Activation Lens — ${state.report?.model.name ?? 'run'} · ${state.report?.createdAt ?? ''}`;
      writeFileSync(out, reportHtml(assets, reportMessages(state), { title, nonce: reportNonce() }));
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug');
  // Native libraries (TensorFlow, Mesa) keep their own log levels only when asked for.
  if (debug) showNativeLogs();
  try {
    switch (command) {
      case 'analyze':
        return await analyze(rest);
      case 'watch':
        return await watchCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case 'experiment':
        if (rest[0] !== 'seed-grid')
          throw new UserError(
            `unknown experiment '${rest[0] ?? ''}'`,
            null,
            null,
            SEED_GRID_USAGE.split('\n')[0]!.replace('usage: ', 'usage: '),
          );
        return await seedGridCommand(rest.slice(1));
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UserError(
          `unknown command '${command}'`,
          null,
          null,
          USAGE.split('\n')[0]!.replace('usage: ', 'usage: '),
        );
    }
  } catch (e) {
    if (isUserError(e)) process.stderr.write(`activation-lens: ${e.format()}\n`);
    else if (e instanceof TypeError && /Unknown option|unexpected argument/i.test(e.message))
      process.stderr.write(`activation-lens: ${e.message}\n${USAGE}\n`);
    else
      process.stderr.write(
        `activation-lens: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}${debug ? '' : ' (run with --debug for details)'}\n`,
      );
    if (debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return isUserError(e) ? 1 : 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
