/**
 * A stand-in for `python -m activation_lens run -- SCRIPT` in the controller's tests (run through
 * a small executable named as the "interpreter"): SCRIPT is a JSON scenario saying what the
 * "training script" prints, which lines its taps send after their hello (to ACTIVATION_LENS_ADDRESS
 * with ACTIVATION_LENS_TOKEN, as the real taps do), and how it ends. No Python, no framework: the
 * tests of what VS Code does with a live run stay fast and exact.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface Scenario {
  stdout?: string[];
  stderr?: string[];
  /** Whether the taps connect at all (a crash before torch is imported does not). */
  connect?: boolean;
  /** Lines after the hello ("%RUN%" stands for nothing: the scenario spells its own runId). */
  lines?: unknown[];
  /** Lines after SIGINT (the runner's final probe and live-ended), then exit 130. */
  onInterrupt?: unknown[];
  /** Wait this long after the lines (a script that keeps training). */
  holdMs?: number;
  exitCode?: number;
}

const scenario = JSON.parse(readFileSync(process.argv[process.argv.indexOf('--') + 1]!, 'utf8')) as Scenario;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  for (const line of scenario.stdout ?? []) process.stdout.write(`${line}\n`);
  for (const line of scenario.stderr ?? []) process.stderr.write(`${line}\n`);
  if (scenario.connect === false) {
    process.exitCode = scenario.exitCode ?? 0;
    return;
  }
  const [host, port] = (process.env.ACTIVATION_LENS_ADDRESS ?? '').split(':');
  const socket = connect({ host: host!, port: Number(port) });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const send = (o: unknown) => socket.write(`${JSON.stringify(o)}\n`);
  send({
    v: 1,
    type: 'hello',
    token: process.env.ACTIVATION_LENS_TOKEN,
    pid: process.pid,
    framework: 'torch',
    frameworkVersion: '2.13.0+cpu',
    device: 'cpu',
    worldSize: 1,
    command: [process.execPath, 'train.py'],
  });
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
    for (const line of scenario.onInterrupt ?? []) send(line);
    process.stderr.write('KeyboardInterrupt\n');
    socket.end(() => process.exit(130));
  });
  for (const line of scenario.lines ?? []) {
    send(line);
    await wait(5);
  }
  await wait(scenario.holdMs ?? 0);
  if (interrupted) return;
  await new Promise<void>((resolve) => socket.end(() => resolve()));
  process.exitCode = scenario.exitCode ?? 0;
}

void main();
