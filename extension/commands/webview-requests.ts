/** The dashboard's buttons: each webview request (already validated) runs the matching command. */
import type { WebviewRequest } from '../../src/protocol';
import type { Ctx } from '../ctx';
import { startRun } from './run';
import { applyEluFix, goToLayer, goToLine } from './source';
import { clearComparison, compareWithPrevious } from './runs';

export function answerWebview(ctx: Ctx, request: WebviewRequest): void {
  switch (request.type) {
    case 'analyze':
      // Analyze again the model the dashboard shows; with none, the active editor's (startRun).
      return void startRun(ctx, ctx.dashboard.state.started?.model.file ?? undefined);
    case 'stop':
      return ctx.run.stop();
    case 'apply-fix':
      return void applyEluFix(ctx)(undefined, request.layer);
    case 'run-what-if':
      return void startRun(ctx, undefined, { layers: request.layers });
    case 'go-to-layer':
      return void goToLayer(ctx)(request.layer);
    case 'open-in-editor':
      return ctx.dashboard.openEditor(request.layer);
    case 'compare-previous':
      return void compareWithPrevious(ctx)();
    case 'clear-comparison':
      return void clearComparison(ctx)();
    case 'go-to-line':
      return void goToLine(ctx)(request.line, request.column);
    case 'ready':
      return;
  }
}
