/**
 * Reads what the extension says it saw: with ACTIVATION_LENS_TEST_OUT set, the extension appends
 * one JSON object per line (extension/test-log.ts defines the records). The suite asserts on both
 * sides: what the host received here, what the person sees in the DOM.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface TestOutRecord {
  t: number;
  kind: string;
  [field: string]: unknown;
}

export function readTestOut(path: string): TestOutRecord[] {
  if (!existsSync(path)) return [];
  const records: TestOutRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && typeof (value as TestOutRecord).kind === 'string')
        records.push(value as TestOutRecord);
    } catch {
      // a line being appended right now: the next read sees it whole
    }
  }
  return records;
}

/** The engine event types the host relayed, in order (run-started, probe, …, run-finished). */
export function eventTypes(records: TestOutRecord[]): string[] {
  return records.filter((r) => r.kind === 'event').map((r) => String(r.type));
}

export function countEvents(records: TestOutRecord[], type: string): number {
  return eventTypes(records).filter((t) => t === type).length;
}

/** The run's failure, if the extension reported one (its message names what went wrong): fail fast with it. */
export function engineFailure(records: TestOutRecord[]): string | undefined {
  const message = records.find((r) => r.kind === 'error');
  if (message) return String(message.message);
  const event = records.find((r) => r.kind === 'event' && r.type === 'error');
  if (event) return `an engine error event ${JSON.stringify(event)}`;
  const exit = records.find((r) => r.kind === 'engine-exit' && r.code !== 0 && r.code !== null);
  return exit ? `the engine exited ${JSON.stringify(exit)}` : undefined;
}
