/** Commands about the run's results: the dashboards, and exporting what they show. */
import { isLayerName } from '../../src/protocol';
import type { Command } from '../ctx';
import { exportReport as exportRunReport } from '../export-report';
import { requireTrust } from './require-trust';

/**
 * The status bar and palette reveal the dashboard; a lens or a Problems entry passes a layer name,
 * and that layer's detail opens in the editor tab.
 */
export const openDashboard: Command = (ctx) => (layer?: unknown) =>
  isLayerName(layer) ? ctx.dashboard.focusLayer(layer) : ctx.dashboard.reveal();

export const openDashboardInEditor: Command = (ctx) => (layer?: unknown) =>
  ctx.dashboard.openEditor(isLayerName(layer) ? layer : null);

/**
 * `format` ('json' | 'sarif' | 'html') and `target` are optional: without them the person picks in
 * a save dialog. A `target` given by the caller (executeCommand) is written without asking anyone,
 * so that form needs a trusted workspace; the dialog form does not. What is exported is what the
 * dashboard shows (the current run or a saved one), with its comparison in the HTML.
 */
export const exportReport: Command = (ctx) => (format?: unknown, target?: unknown) => {
  if (target !== undefined && !requireTrust('exporting to a given path', 'it writes a file no one picked'))
    return null;
  return exportRunReport(ctx.dashboard.state, ctx.version, format, target, {
    extensionPath: ctx.context.extensionPath,
    comparison: ctx.dashboard.view.comparison,
  });
};
