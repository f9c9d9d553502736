/**
 * An engine must not outlive its host. When the host dies — even by SIGKILL, when nothing runs in
 * it to say goodbye — the IPC channel closes and the engine is re-parented; either one means exit.
 * The channel's 'disconnect' fires only when the event loop gets a turn, hence the arm runner's
 * yield between steps; the parent-pid check is the fallback where no channel event comes.
 */

/** Calls `onGone` once when the parent process is gone; returns a function that stops watching. */
export function watchParent(onGone: (why: string) => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  let gone = false;
  const report = (why: string) => {
    if (gone) return;
    gone = true;
    stop();
    onGone(why);
  };
  const onDisconnect = () => report('the IPC channel to the host closed');
  process.on('disconnect', onDisconnect);
  const timer = setInterval(() => {
    if (process.ppid !== parent || !isAlive(parent)) report(`the host process ${parent} is gone`);
  }, intervalMs);
  // The watch alone must not keep the process alive.
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    process.off('disconnect', onDisconnect);
  };
  return stop;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
