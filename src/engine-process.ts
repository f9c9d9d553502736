/**
 * The engine as a child process of the extension host: commands in, protocol events out over the
 * IPC channel. Training never runs on the host's thread; a crash here is reported, not fatal.
 */
import { runAnalysis, type CancelToken } from './analysis/run-analysis';
import { isUserError } from './errors';
import { runWhatIf } from './whatif/run-what-if';
import { PROTOCOL_VERSION, parseEngineCommand, type EngineEvent } from './protocol';

const runs = new Map<string, CancelToken>();

function send(event: EngineEvent): void {
  process.send?.(event);
}

async function start(runId: string, config: Parameters<typeof runAnalysis>[0]): Promise<void> {
  const cancel: CancelToken = { cancelled: false };
  runs.set(runId, cancel);
  try {
    const report =
      config.whatIf === 'elu'
        ? await runWhatIf(config, send, cancel, runId)
        : await runAnalysis(config, send, cancel, runId);
    send({ v: PROTOCOL_VERSION, runId, type: 'run-finished', report });
  } catch (e) {
    const ue = isUserError(e) ? e : null;
    send({
      v: PROTOCOL_VERSION,
      runId,
      type: 'error',
      message: ue ? ue.format() : `internal error: ${e instanceof Error ? e.message : String(e)}`,
      file: ue?.file ?? null,
      line: ue?.line ?? null,
      ...(e instanceof Error && !ue && e.stack ? { detail: e.stack } : {}),
    });
  } finally {
    runs.delete(runId);
  }
}

process.on('message', (raw: unknown) => {
  const command = parseEngineCommand(raw);
  if (!command) return;
  if (command.type === 'cancel') {
    const token = runs.get(command.runId);
    if (token) token.cancelled = true;
    return;
  }
  if (runs.size > 0) {
    send({
      v: PROTOCOL_VERSION,
      runId: command.runId,
      type: 'error',
      message: 'a run is already in progress in this engine',
      file: null,
      line: null,
    });
    return;
  }
  void start(command.runId, command.config);
});

process.on('disconnect', () => process.exit(0));
