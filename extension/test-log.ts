/**
 * When ACTIVATION_LENS_TEST_OUT names a file, the extension appends one JSON line per thing it saw
 * (engine events, lens titles, diagnostics, applied fixes), so the real-VS-Code tests can assert what
 * the host received as well as what the UI showed. Off (and free) otherwise.
 */
import { appendFileSync } from 'node:fs';

export type TestRecord =
  | { kind: 'activated' }
  | { kind: 'event'; type: string; runId: string; backend?: string }
  | { kind: 'lenses'; file: string; titles: string[] }
  | { kind: 'diagnostics'; file: string; items: { line: number; code: string; message: string }[] }
  | { kind: 'fix-applied'; file: string; layer: string; edits: number }
  | { kind: 'engine-exit'; runId: string; code: number | null; signal: string | null }
  | { kind: 'live-connected'; pid: number; framework: string | null }
  | { kind: 'live-exit'; script: string; code: number | null; signal: string | null }
  | { kind: 'error'; message: string };

export function testLogPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const p = env.ACTIVATION_LENS_TEST_OUT;
  return p && p.trim() ? p : null;
}

export function appendTestRecord(record: TestRecord, path: string | null = testLogPath()): void {
  if (!path) return;
  try {
    appendFileSync(path, `${JSON.stringify({ t: Date.now(), ...record })}\n`);
  } catch {
    // A test harness that removed its folder must not break the extension.
  }
}
