/** Commands about the run's results: openDashboard, exportReport. */
import type { Command } from '../ctx';
import { exportReport as exportRunReport } from '../export-report';

export const openDashboard: Command = (ctx) => () => ctx.dashboard.reveal();

/** `format` ('json' | 'sarif') and `target` are optional: without them the person picks. */
export const exportReport: Command = (ctx) => (format?: unknown, target?: unknown) =>
  exportRunReport(ctx.run.state, ctx.version, format, target);
