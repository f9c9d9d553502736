/**
 * A live run's event stream as the taps write it beside their report (python/README.md "Files left
 * behind": OUT.events.jsonl, the wire's events without the hello) → the same run the listener would
 * have built: every line validated like a line off the socket, findings from the one advisor.
 */
import { createReadStream } from 'node:fs';
import { UserError } from '../errors';
import { checkEngineEvent, checkLiveEnded, type LiveEnded } from '../protocol';
import { LineSplitter } from './line-splitter';
import { LiveRun, type LiveFinish, type LiveSettings } from './live-run';

export interface EventsFileRun extends LiveFinish {
  run: LiveRun;
  ended: LiveEnded | null;
  /** Lines refused by the validators (each is also logged). */
  refused: number;
}

const LOGGED = 5;

export async function readEventsFile(
  file: string,
  settings: LiveSettings,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<EventsFileRun> {
  const splitter = new LineSplitter();
  let run: LiveRun | null = null;
  let ended: LiveEnded | null = null;
  let lineNo = 0;
  let refused = 0;
  const refuse = (why: string) => {
    refused++;
    if (refused <= LOGGED) log('warn', `${file}:${lineNo}: ${why}; line skipped`);
  };
  const take = (text: string) => {
    lineNo++;
    if (ended) return refuse('a line after live-ended');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return refuse('not JSON');
    }
    const isEnd =
      typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'live-ended';
    const checked = isEnd ? checkLiveEnded(raw) : checkEngineEvent(raw);
    if (!checked.ok) return refuse(checked.error);
    const runId = checked.value.runId;
    run ??= new LiveRun(runId, null, settings, log);
    if (runId !== run.runId)
      throw new UserError(
        `an event of run ${runId} in a file of run ${run.runId}`,
        file,
        lineNo,
        'one events file holds one run',
      );
    if (checked.value.type === 'live-ended') ended = checked.value;
    else run.accept(checked.value);
  };
  try {
    for await (const chunk of createReadStream(file)) {
      const split = splitter.push(chunk as Buffer);
      if (!split.ok)
        throw new UserError(split.error, file, lineNo + 1, 'is this an events.jsonl of activation_lens?');
      split.lines.forEach(take);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new UserError(
      err.code === 'ENOENT' ? 'no such file' : `cannot be read (${err.message})`,
      file,
      null,
      'give the OUT.events.jsonl the taps wrote beside their report',
    );
  }
  if (splitter.buffered > 0) {
    // The taps end every line; an unfinished last line means the run was cut off mid-write.
    lineNo++;
    refuse('an unfinished last line');
  }
  if (refused > LOGGED) log('warn', `${file}: ${refused} lines skipped in all`);
  const r = run as LiveRun | null;
  if (!r)
    throw new UserError(
      'holds no events of a live run',
      file,
      null,
      'is this an events.jsonl of activation_lens?',
    );
  const end = ended as LiveEnded | null;
  const finish = r.finish(
    end ? { kind: 'ended', ended: end } : { kind: 'closed', cancelled: true, exitCode: null },
  );
  return { ...finish, run: r, ended: end, refused };
}
