/**
 * Runs the real CLI (dist/cli.js) in a child process under a wall-clock limit and a memory cap,
 * and sorts what happened into the outcomes the hostile-input tests and the fuzz script count.
 * `--max-old-space-size` caps only V8's heap; array buffers and wasm memory live outside it, so the
 * child's resident size is also watched through /proc and the child is killed above the cap.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Outcome =
  'refusal' | 'noisy-refusal' | 'ok' | 'partial' | 'internal' | 'timeout' | 'memory' | 'abort';

export interface CliResult {
  outcome: Outcome;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Largest resident size seen, in MiB (0 where /proc is not there). */
  peakMiB: number;
}

export interface CliLimits {
  timeoutMs?: number;
  /** V8 heap cap (--max-old-space-size), MiB. */
  heapMiB?: number;
  /** Resident-size cap, MiB: above it the child is killed and the outcome is 'memory'. */
  rssMiB?: number;
  cwd?: string;
  env?: Record<string, string>;
}

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src/protocol.ts'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The built CLI; ACTIVATION_LENS_CLI points the fuzz script at another build (a copy of a baseline). */
export const CLI = process.env.ACTIVATION_LENS_CLI ?? join(findRepoRoot(__dirname), 'dist', 'cli.js');

function residentMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Exactly one line, naming nothing of the library's internals: what a clean refusal prints. */
export function isCleanRefusalText(stderr: string): boolean {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return (
    lines.length === 1 &&
    !/internal error|HDF5-DIAG|\n\s+at |RangeError|TypeError|Maximum call stack/.test(stderr)
  );
}

export function runCli(args: string[], limits: CliLimits = {}): Promise<CliResult> {
  const { timeoutMs = 60_000, heapMiB = 512, rssMiB = 1536 } = limits;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, CLI, ...args], {
      cwd: limits.cwd,
      env: { ...process.env, ...limits.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peakMiB = 0;
    let killedFor: 'timeout' | 'memory' | null = null;
    // Keep only the ends of runaway output; a refusal is one short line anyway.
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const kill = (why: 'timeout' | 'memory') => {
      if (killedFor) return;
      killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    const watch = setInterval(() => {
      if (child.pid === undefined) return;
      const rss = residentMiB(child.pid);
      peakMiB = Math.max(peakMiB, rss);
      if (rss > rssMiB) kill('memory');
    }, 50);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      const ms = Date.now() - started;
      let outcome: Outcome;
      if (killedFor) outcome = killedFor;
      else if (signal || (code !== null && code > 128)) outcome = 'abort';
      else if (code === 0) outcome = 'ok';
      else if (code === 3) outcome = 'partial';
      else if (code === 1) outcome = isCleanRefusalText(stderr) ? 'refusal' : 'noisy-refusal';
      else outcome = 'internal';
      resolve({ outcome, code, signal, stdout, stderr, ms, peakMiB: Math.round(peakMiB) });
    });
  });
}
