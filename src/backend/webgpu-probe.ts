/**
 * `--backend auto` measures the WebGPU route in a child process (dist/webgpu-probe.js): Dawn, Mesa
 * and the Vulkan loader print adapter warnings and "XDG_RUNTIME_DIR is invalid" to the native
 * stderr of whatever process loads them. The child's stdout and stderr are kept here — for --debug
 * and the engine log — and the main process loads Dawn only if WebGPU won the measurement.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type WebGpuProbeResult =
  { ok: true; detail: string; software: boolean; samplesPerSecond: number } | { ok: false; reason: string };

export interface WebGpuProbe {
  result: WebGpuProbeResult;
  /** What the child wrote to stdout and stderr (native warnings included), capped. */
  output: string;
  /** Wall time of the probe, process start included. */
  ms: number;
}

/** A driver that hangs must not hold the run: the probe normally takes 1–3 s. */
export const PROBE_TIME_LIMIT_MS = 60_000;
/** Kept output (a broken driver can print without end). */
const MAX_OUTPUT = 64 * 1024;

/** dist/webgpu-probe.js beside the engine; tests run from dist-test/, so also look up the tree. */
export function probeScript(): string | null {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'webgpu-probe.js'), join(dir, 'dist', 'webgpu-probe.js')])
      if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function parseResult(x: unknown): WebGpuProbeResult | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  if (m.ok === false && typeof m.reason === 'string') return { ok: false, reason: m.reason };
  if (
    m.ok === true &&
    typeof m.detail === 'string' &&
    typeof m.software === 'boolean' &&
    typeof m.samplesPerSecond === 'number' &&
    Number.isFinite(m.samplesPerSecond)
  )
    return { ok: true, detail: m.detail, software: m.software, samplesPerSecond: m.samplesPerSecond };
  return null;
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .pop() ?? '';

/** Starts Dawn and measures the reference workload in a child process; never throws. */
export async function probeWebGpuInChild(
  script: string | null = probeScript(),
  timeLimitMs = PROBE_TIME_LIMIT_MS,
): Promise<WebGpuProbe> {
  const t0 = performance.now();
  if (script === null)
    return {
      result: { ok: false, reason: 'dist/webgpu-probe.js is missing; run the build' },
      output: '',
      ms: 0,
    };
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    let result: WebGpuProbeResult | null = null;
    const child = fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m) => {
      result ??= parseResult(m) ?? { ok: false, reason: 'the WebGPU probe sent a malformed result' };
    });
    const timer = setTimeout(() => {
      result ??= { ok: false, reason: `the WebGPU probe did not finish within ${timeLimitMs / 1000} s` };
      child.kill('SIGKILL');
    }, timeLimitMs);
    const done = (why: string) => {
      clearTimeout(timer);
      const line = lastLine(output);
      resolve({
        result: result ?? {
          ok: false,
          reason: `the WebGPU probe process ${why} without a result${line ? ` (last output: ${line})` : ''}`,
        },
        output,
        ms: performance.now() - t0,
      });
    };
    child.on('error', (e) => done(`failed to start (${e.message})`));
    child.on('exit', (code, signal) => done(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
}
