/**
 * The engine as a child process of the extension host: commands in, protocol events out over the
 * IPC channel. Training never runs on the host's thread; a crash here is reported, not fatal.
 * Stop means stop: an IPC cancel, SIGTERM or SIGINT ends the run within one step and still sends
 * the partial report (run-finished, cancelled: true). The engine never outlives its host.
 */
import type { CancelToken } from './analysis/arm-runner';
import { runAnalysis } from './analysis/run-analysis';
import { isUserError } from './errors';
import { watchParent } from './parent-watch';
import { checkEngineCommand, createEmitter, type EngineEvent, type RunConfig } from './protocol';
import { runWhatIf } from './whatif/run-what-if';

const runs = new Map<string, CancelToken>();
/** Set by SIGTERM / SIGINT: the runs stop, report, and the process exits. */
let terminating = false;

/** Resolves once every event sent so far has been handed to the channel (they leave in order). */
let sent: Promise<void> = Promise.resolve();

function send(event: EngineEvent): void {
  // Once the host has gone there is no one to tell; the parent watch ends the process.
  if (!process.connected || !process.send) return;
  sent = new Promise((resolve) => process.send!(event, () => resolve()));
}

function exitAfterFlush(code: number): void {
  void sent.then(() => process.exit(code));
}

async function start(runId: string, config: RunConfig): Promise<void> {
  const cancel: CancelToken = { cancelled: terminating };
  runs.set(runId, cancel);
  const emit = createEmitter(runId, send);
  try {
    const report =
      config.whatIf === 'elu'
        ? await runWhatIf(config, emit, cancel)
        : await runAnalysis(config, emit, cancel);
    emit({ type: 'run-finished', report });
  } catch (e) {
    const ue = isUserError(e) ? e : null;
    emit({
      type: 'error',
      message: ue ? ue.format() : `internal error: ${e instanceof Error ? e.message : String(e)}`,
      file: ue?.file ?? null,
      line: ue?.line ?? null,
      ...(e instanceof Error && !ue && e.stack ? { detail: e.stack } : {}),
    });
  } finally {
    runs.delete(runId);
    if (terminating && runs.size === 0) exitAfterFlush(0);
  }
}

process.on('message', (raw: unknown) => {
  const parsed = checkEngineCommand(raw);
  if (!parsed.ok) {
    // The host is ours; a command it got wrong is our bug: say so where the host can show it.
    const runId = (raw as { runId?: unknown } | null)?.runId;
    if (typeof runId === 'string')
      createEmitter(
        runId,
        send,
      )({
        type: 'error',
        message: `internal error: the engine refused ${parsed.error}`,
        file: null,
        line: null,
      });
    process.stderr.write(`activation-lens engine: refused ${parsed.error}\n`);
    return;
  }
  const command = parsed.value;
  if (command.type === 'cancel') {
    const token = runs.get(command.runId);
    if (token) token.cancelled = true;
    return;
  }
  if (runs.size > 0 || terminating) {
    createEmitter(
      command.runId,
      send,
    )({
      type: 'error',
      message: terminating ? 'the engine is shutting down' : 'a run is already in progress in this engine',
      file: null,
      line: null,
    });
    return;
  }
  void start(command.runId, command.config);
});

function terminate(): void {
  // A second signal: the person (or the host) means now.
  if (terminating) process.exit(130);
  terminating = true;
  for (const token of runs.values()) token.cancelled = true;
  if (runs.size === 0) exitAfterFlush(0);
}
process.on('SIGTERM', terminate);
process.on('SIGINT', terminate);

// The host released us (after the outcome), or died: either way nothing more to do here.
watchParent(() => process.exit(0));
