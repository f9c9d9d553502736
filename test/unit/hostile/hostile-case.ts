/**
 * Shared by the hostile-input suites: a scratch folder, a data file every written model fits, and
 * `refused()`, which runs the real CLI on one input and asserts a clean refusal — exit 1, exactly
 * one stderr line naming the file, no internal error, no HDF5 diagnostics, no stack — within a
 * time limit and a memory cap.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runCli, type CliResult } from '../../support/capped-cli';
import { CLASSES, FEATURES, fixtureValues } from '../../support/saved-model-writers';
import { npyBytes, npzBytes } from '../data-readers/npy-writer';

export const scratch = mkdtempSync(join(tmpdir(), 'al-hostile-'));

export function write(relative: string, content: Uint8Array | string): string {
  const path = join(scratch, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** 48 training and 16 test samples of FEATURES floats, CLASSES classes. */
export function goodDataNpz(): Uint8Array {
  const labels = (n: number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i % CLASSES));
  return npzBytes({
    x_train: npyBytes('<f4', [48, FEATURES], fixtureValues(48 * FEATURES, 11)),
    y_train: npyBytes('<i8', [48], labels(48)),
    x_test: npyBytes('<f4', [16, FEATURES], fixtureValues(16 * FEATURES, 13)),
    y_test: npyBytes('<i8', [16], labels(16)),
  });
}

export const RUN = ['--steps', '0', '--backend', 'cpu', '--probe', '8', '--batch', '8'];

export interface Refusal {
  /** The file the one line must name (its base name is checked). */
  names: string;
  /** What the line must say. */
  says: RegExp;
  /** What it must not say (e.g. an outside file's path or size). */
  never?: RegExp;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs `activation-lens ARGS` and asserts a clean, bounded refusal; returns the line. */
export async function refused(args: string[], expected: Refusal): Promise<string> {
  const r: CliResult = await runCli(args, {
    timeoutMs: expected.timeoutMs ?? 30_000,
    heapMiB: 256,
    rssMiB: 1024,
    ...(expected.env ? { env: expected.env } : {}),
  });
  const context = `${args.join(' ')}\n--- stderr ---\n${r.stderr}\n--- outcome ${r.outcome}, exit ${r.code}, ${r.ms} ms, ${r.peakMiB} MiB`;
  assert.equal(r.outcome, 'refusal', context);
  assert.equal(r.code, 1, context);
  const line = r.stderr.trim();
  assert.ok(!line.includes('\n'), `one line expected\n${context}`);
  assert.ok(
    line.includes(basename(expected.names)),
    `the line must name ${basename(expected.names)}\n${context}`,
  );
  assert.match(line, expected.says, context);
  assert.doesNotMatch(line, /internal error|HDF5-DIAG|\bat .*:\d+:\d+\)?$/m, context);
  if (expected.never) assert.doesNotMatch(line, expected.never, context);
  return line;
}

/** Runs the CLI on an input that must be analysed (exit 0). */
export async function analysed(args: string[]): Promise<CliResult> {
  const r = await runCli(args, { timeoutMs: 60_000, heapMiB: 512, rssMiB: 1536 });
  assert.equal(r.outcome, 'ok', `${args.join(' ')}\n${r.stderr}`);
  return r;
}
