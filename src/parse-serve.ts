/**
 * The serving loop of a parser process: one ParseRequest in, one ParseReply out, synchronously, one
 * at a time. The host enforces the limits (it kills this process past its time limit; V8 aborts it
 * past its heap limit); this side only makes sure the process never outlives the host.
 */
import { Worker } from 'node:worker_threads';
import { isUserError } from './errors';
import type { ModelSpec } from './model/spec';
import { parseParseRequest, type ParseReply } from './parse-protocol';

export type ParseFunction = (file: string, text: string) => ModelSpec;

/**
 * A parse that never ends blocks this process's only JS thread, so a `disconnect` handler could not
 * run if the host died meanwhile. A small watchdog thread checks the parent every `everyMs` and
 * kills this process once the parent is gone (reparented, or no longer signalable).
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const parent = workerData.parent;
setInterval(() => {
  let alive = process.ppid === parent;
  if (alive) {
    try { process.kill(parent, 0); } catch (e) { alive = e && e.code === 'EPERM'; }
  }
  if (!alive) process.kill(process.pid, 'SIGKILL');
}, workerData.everyMs);
`;

export function watchParent(everyMs = 1000): void {
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parent: process.ppid, everyMs } });
  watchdog.unref();
}

export function reply(id: number, parse: () => ModelSpec): ParseReply {
  try {
    return { type: 'parsed', id, spec: parse() };
  } catch (e) {
    if (isUserError(e)) return { type: 'no-model', id, message: e.format() };
    return { type: 'failed', id, message: e instanceof Error ? e.message : String(e) };
  }
}

export function serveParses(parse: ParseFunction): void {
  if (!process.send) throw new Error('the parser process must be started with an IPC channel (fork)');
  watchParent();
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw: unknown) => {
    const request = parseParseRequest(raw);
    if (!request) return;
    const answer = reply(request.id, () => parse(request.file, request.text));
    try {
      process.send?.(answer);
    } catch (e) {
      // A spec JSON cannot carry (a cycle): say so rather than leave the host waiting.
      process.send?.({
        type: 'failed',
        id: request.id,
        message: `the parse result could not be sent: ${String(e)}`,
      });
    }
  });
}
