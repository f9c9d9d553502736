/**
 * Bytes from a live connection → complete lines, each at most `maxBytes` long and valid UTF-8.
 * Bytes stay bytes until a newline completes the line (a multi-byte character split across two
 * socket reads must not be decoded in halves), and a line that grows past the limit is refused as
 * soon as it does: a peer can make the listener hold at most `maxBytes` of one unfinished line.
 */

/** The wire's line limit (docs/architecture.md "Live taps"): the taps split larger probe events. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export type SplitResult = { ok: true; lines: string[] } | { ok: false; error: string };

const NEWLINE = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** The lines this chunk completes (empty lines dropped), or why the stream is refused. */
  push(chunk: Buffer): SplitResult {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      if (this.pending + (end - start) > this.maxBytes)
        return { ok: false, error: `a line longer than ${this.maxBytes} bytes` };
      if (newline < 0) {
        if (end > start) {
          // Copied: the socket may reuse the chunk's memory.
          this.parts.push(Buffer.from(chunk.subarray(start, end)));
          this.pending += end - start;
        }
        return { ok: true, lines };
      }
      const line = this.pending
        ? Buffer.concat([...this.parts, chunk.subarray(start, end)])
        : chunk.subarray(start, end);
      this.parts = [];
      this.pending = 0;
      start = newline + 1;
      let text: string;
      try {
        text = this.decoder.decode(line);
      } catch {
        return { ok: false, error: 'a line that is not valid UTF-8' };
      }
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() !== '') lines.push(text);
    }
  }

  /** Bytes of an unfinished line held now. */
  get buffered(): number {
    return this.pending;
  }
}
