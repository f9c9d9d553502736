/** Commands about the run's results: openDashboard, exportReport. */
import type { Command } from '../ctx';
import { exportReport as exportRunReport } from '../export-report';
import { requireTrust } from './require-trust';

export const openDashboard: Command = (ctx) => () => ctx.dashboard.reveal();

/**
 * `format` ('json' | 'sarif') and `target` are optional: without them the person picks in a save
 * dialog. A `target` given by the caller (executeCommand) is written without asking anyone, so that
 * form needs a trusted workspace; the dialog form does not.
 */
export const exportReport: Command = (ctx) => (format?: unknown, target?: unknown) => {
  if (target !== undefined && !requireTrust('exporting to a given path', 'it writes a file no one picked'))
    return null;
  return exportRunReport(ctx.run.state, ctx.version, format, target);
};
