/**
 * `activation-lens report EVENTS.jsonl [--json OUT]`: re-opens a live run the taps recorded without
 * a dashboard (OUT.events.jsonl, or ~/.activation-lens/runs/<runId>/events.jsonl) and prints the
 * table and findings of the one advisor, as `watch` would have.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportTable } from '../cli-format';
import { UserError } from '../errors';
import { readEventsFile } from './events-file';
import { defaultLiveSettings } from './live-run';

export const REPORT_USAGE = 'usage: activation-lens report EVENTS.jsonl [--json OUT]';

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'string' }, debug: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1)
    throw new UserError(`expected one events file, got ${positionals.length}`, null, null, REPORT_USAGE);
  const file = resolve(positionals[0]!);
  const out = await readEventsFile(file, defaultLiveSettings(), (level, message) => {
    if (level === 'warn' || values.debug) process.stderr.write(`activation-lens: ${message}\n`);
  });
  if (!out.report)
    throw new UserError(
      `nothing was measured in this run${out.run.errors.length ? `: ${out.run.errors[0]}` : ''}`,
      file,
      null,
      'the run never reached its first probe',
    );
  const json = values.json ? resolve(values.json) : null;
  if (json) writeFileSync(json, `${JSON.stringify(out.report, null, 2)}\n`);
  process.stdout.write(`${reportTable(out.report)}\n${json ? `\nreport written to ${json}\n` : ''}`);
  return 0;
}
