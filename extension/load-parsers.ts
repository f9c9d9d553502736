/**
 * The model parsers run in their own process (dist/parser.js, extension/parser-process.ts), started
 * on the first parse: activation stays cheap, and no source is ever parsed on the host's thread.
 */
import { join } from 'node:path';
import type { Ctx } from './ctx';
import { ParserProcess } from './parser-process';

export function loadParsers(ctx: Ctx): void {
  const parser = new ParserProcess({ script: join(ctx.context.extensionPath, 'dist', 'parser.js') });
  ctx.push({ dispose: () => parser.dispose() });
  ctx.documents.setParser(parser);
  const { timeMs, heapMb } = parser.limits;
  ctx.log.info(
    `model sources are parsed in a separate process (limits: ${timeMs / 1000} s per parse, ${heapMb} MB heap)`,
  );
  ctx.lenses.refresh();
}
