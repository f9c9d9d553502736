/**
 * The model parsers (with the TypeScript compiler, 9 MB) load after activation returns, so
 * activation stays cheap; lenses appear once they are in.
 */
import type { Ctx } from './ctx';

export function loadParsers(ctx: Ctx): void {
  const started = Date.now();
  void import('../src/model/readers/source').then(
    (m) => {
      ctx.documents.setParser(m.parseModelSource);
      ctx.log.info(`model parsers loaded in ${Date.now() - started} ms`);
      ctx.lenses.refresh();
    },
    (e: unknown) =>
      ctx.log.error(`could not load the model parsers: ${e instanceof Error ? e.message : String(e)}`),
  );
}
