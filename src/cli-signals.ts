/**
 * Ctrl-C and SIGTERM in the CLI. The first asks the run to stop: the step in progress finishes, the
 * state reached is probed and the partial report is written (exit 130). A second one quits at once.
 */
import type { CancelToken } from './analysis/arm-runner';

/** Exit status of a cancelled run (128 + SIGINT, as shells report Ctrl-C). */
export const CANCELLED_EXIT = 130;

/** Installs the handlers; returns a function that removes them. */
export function cancelOnSignals(cancel: CancelToken, message: string): () => void {
  const onSignal = () => {
    if (cancel.cancelled) {
      process.stderr.write('\nstopped without a report\n');
      process.exit(CANCELLED_EXIT);
    }
    cancel.cancelled = true;
    process.stderr.write(`\n${message} (Ctrl-C again quits at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
