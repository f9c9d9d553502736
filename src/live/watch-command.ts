/**
 * `activation-lens watch [--json OUT] [--every K] [--probe N] [--python PY] -- COMMAND [ARGS…]`:
 * runs the person's own training command with live taps and, when it has ended, prints the same
 * table and writes the same report@1 as `analyze` — findings from the one advisor, `origin: "live"`.
 *
 * The command's stdin, stdout and stderr are its own (inherited, unchanged) and its exit code is
 * the CLI's. How the taps attach is src/live/python-command.ts. Ctrl-C reaches the script once, as
 * it would without the CLI: in a terminal the terminal signals the whole foreground group (the
 * script included), so the CLI only waits; where the CLI alone is signalled (stdin not a terminal,
 * or SIGTERM) it passes the signal on. The script then ends its run itself (final probe,
 * live-ended); a second Ctrl-C kills it and reports what had arrived.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { reportTable } from '../cli-format';
import { UserError } from '../errors';
import type { Report } from '../protocol';
import { LiveListener, type LiveResult } from './listener';
import { defaultLiveSettings } from './live-run';
import { checkPython } from './python-check';
import { tapCommand } from './python-command';
import { bundledPythonDir, withPythonPath } from './python-package';

export const WATCH_USAGE =
  'usage: activation-lens watch [--json OUT] [--every K] [--probe N] [--python PY] -- COMMAND [ARGS...]';

/** After the command exits, how long a connection still open may take to deliver live-ended. */
const LATE_END_MS = 5000;

export interface WatchArgs {
  json: string | null;
  every: number | null;
  probe: number | null;
  python: string | null;
  debug: boolean;
  command: string[];
}

function integerOption(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min)
    throw new UserError(
      `--${name} must be an integer ≥ ${min}, got '${value ?? ''}'`,
      null,
      null,
      WATCH_USAGE,
    );
  return n;
}

/** Options first; `--` or the first word that is not an option starts the command. */
export function parseWatchArgs(argv: string[]): WatchArgs {
  const args: WatchArgs = { json: null, every: null, probe: null, python: null, debug: false, command: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.command = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('--')) {
      args.command = argv.slice(i);
      break;
    }
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (flag === '--debug') {
      args.debug = true;
      continue;
    }
    const value = inline ?? argv[++i];
    switch (flag) {
      case '--json':
        if (!value) throw new UserError('--json needs a file', null, null, WATCH_USAGE);
        args.json = resolve(value);
        break;
      case '--every':
        args.every = integerOption('every', value, 1);
        break;
      case '--probe':
        args.probe = integerOption('probe', value, 1);
        break;
      case '--python':
        if (!value) throw new UserError('--python needs an interpreter', null, null, WATCH_USAGE);
        args.python = value;
        break;
      default:
        throw new UserError(`unknown option ${flag}`, null, null, WATCH_USAGE);
    }
  }
  if (args.command.length === 0)
    throw new UserError(
      'no command to run',
      null,
      null,
      `${WATCH_USAGE} (e.g. -- python train.py --epochs 1)`,
    );
  return args;
}

/** The exit status a shell would report for the command. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 1) : 1);
}

export async function watchCommand(argv: string[]): Promise<number> {
  const args = parseWatchArgs(argv);
  const pythonDir = bundledPythonDir();
  if (!pythonDir)
    throw new UserError(
      `the live taps' Python package (python/activation_lens) is missing beside ${resolve(__dirname)}`,
      null,
      null,
      'reinstall Activation Lens',
    );
  const tap = tapCommand(args.command, args.python ?? 'python3');
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: withPythonPath(process.env, pythonDir),
    ...(args.every !== null ? { ACTIVATION_LENS_EVERY: String(args.every) } : {}),
    ...(args.probe !== null ? { ACTIVATION_LENS_PROBE: String(args.probe) } : {}),
  };
  if (tap.script) await checkPython(tap.argv[0]!, baseEnv);
  else if (!args.command.includes('activation_lens'))
    process.stderr.write(
      `activation-lens: '${args.command[0]}' is not \`python SCRIPT.py\`: it runs as given, and the taps attach only if it runs \`python -m activation_lens run\` or calls activation_lens.watch() / activation_lens.keras.Callback\n`,
    );

  let result: LiveResult | null = null;
  let connected = false;
  let resolveEnd: () => void = () => undefined;
  const runEnded = new Promise<void>((r) => (resolveEnd = r));
  const settings = { ...defaultLiveSettings(), every: args.every };
  const listener = await LiveListener.start({
    settings: () => settings,
    log: (level, message) => {
      if (level === 'warn' || args.debug) process.stderr.write(`activation-lens: ${message}\n`);
    },
    handler: {
      onHello: () => (connected = true),
      onEvent: () => undefined,
      onEnd: (r) => {
        result ??= r;
        resolveEnd();
      },
    },
  });
  const env = { ...baseEnv, ...listener.environment() };
  const child = spawn(tap.argv[0]!, tap.argv.slice(1), { stdio: 'inherit', env });
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write('\nactivation-lens: stopping the command now\n');
      child.kill('SIGKILL');
      return;
    }
    if (signal === 'SIGTERM' || !process.stdin.isTTY) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      child.once('error', (e: NodeJS.ErrnoException) =>
        fail(
          new UserError(
            e.code === 'ENOENT' ? `${tap.argv[0]}: command not found` : `${tap.argv[0]}: ${e.message}`,
            null,
            null,
            WATCH_USAGE,
          ),
        ),
      );
      child.once('exit', (code, signal) => done({ code, signal }));
    });
    if (listener.current && !listener.current.finished)
      await Promise.race([runEnded, new Promise((r) => setTimeout(r, LATE_END_MS))]);
    listener.current?.stop();
    const status = exitStatus(exit.code, exit.signal);
    const r = result as LiveResult | null;
    finishOutput(r?.report ?? null, args.json, connected, r, status);
    return status;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await listener.close();
  }
}

function finishOutput(
  report: Report | null,
  json: string | null,
  connected: boolean,
  result: LiveResult | null,
  status: number,
): void {
  if (!connected) {
    process.stderr.write(
      `activation-lens: the command ended (exit status ${status}) without the live taps connecting: nothing was measured\n`,
    );
    return;
  }
  if (!report) {
    // The taps said why on stderr already (a script that never trained, a missing framework).
    if (!result?.errors.length)
      process.stderr.write('activation-lens: the run ended before anything was measured\n');
    return;
  }
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${reportTable(report)}\n${json ? `\nreport written to ${json}\n` : ''}`);
}
