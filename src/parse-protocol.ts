/**
 * The wire between the extension host and its parser process (src/parse-process.ts): one request
 * per parse, one reply per request, over the IPC channel. The host never parses a person's source on
 * its own thread; it asks the parser process, which may be killed at any time (time limit, memory
 * limit) without harm to VS Code.
 */
import type { ModelSpec } from './model/spec';

export interface ParseRequest {
  type: 'parse';
  id: number;
  /** The document's path: it picks the reader (by extension) and names the file in messages. */
  file: string;
  text: string;
}

export type ParseReply =
  /** The file defines a model. */
  | { type: 'parsed'; id: number; spec: ModelSpec }
  /** The reader found no model, or refused the source (a budget, a syntax error): a UserError. */
  | { type: 'no-model'; id: number; message: string }
  /** The reader threw something else (our bug, or the stack ran out): the process lives on. */
  | { type: 'failed'; id: number; message: string };

/** Checks a message from the parser process: it is ours, but it is another process. */
export function parseParseReply(raw: unknown): ParseReply | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.id !== 'number') return null;
  if (m.type === 'parsed') {
    const spec = m.spec as Partial<ModelSpec> | null | undefined;
    return spec && typeof spec === 'object' && Array.isArray(spec.layers)
      ? (m as unknown as ParseReply)
      : null;
  }
  if ((m.type === 'no-model' || m.type === 'failed') && typeof m.message === 'string')
    return m as unknown as ParseReply;
  return null;
}

export function parseParseRequest(raw: unknown): ParseRequest | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  return m.type === 'parse' &&
    typeof m.id === 'number' &&
    typeof m.file === 'string' &&
    typeof m.text === 'string'
    ? (m as unknown as ParseRequest)
    : null;
}
