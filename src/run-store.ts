/**
 * Saved runs on disk, in one folder the caller gives (the extension: the workspace's storage, never
 * the person's project). Two files per run: `<id>.run.json` (the SavedRun) and `<id>.summary.json`
 * (what the Runs view lists, so listing never reads the runs themselves). Each is written to a
 * temporary file and renamed into place, the summary last: a crash mid-save leaves no half file, and
 * a run is listed only once its data is whole. Everything read back is validated by the protocol's
 * checks before anyone sees it; a file that fails is skipped with one log line. `prune` keeps the
 * folder within a count and a size, dropping the oldest runs first.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  checkSavedRun,
  checkSavedRunSummary,
  isSavedRunId,
  type Parsed,
  type SavedRun,
  type SavedRunSummary,
} from './protocol';
import { summarize } from './saved-run';
import { UserError } from './errors';

export interface RunStoreCap {
  maxRuns: number;
  maxBytes: number;
}

const RUN = '.run.json';
const SUMMARY = '.summary.json';
/** A temporary file older than this belongs to a save that died; younger ones may be in flight. */
const STALE_TEMP_MS = 10 * 60_000;

const newestFirst = (a: SavedRunSummary, b: SavedRunSummary) =>
  b.savedAt.localeCompare(a.savedAt) || b.id.localeCompare(a.id);

export class RunStore {
  constructor(
    readonly root: string,
    private readonly log: (message: string) => void,
  ) {}

  runFile(id: string): string {
    return join(this.root, `${checkedId(id)}${RUN}`);
  }

  private summaryFile(id: string): string {
    return join(this.root, `${checkedId(id)}${SUMMARY}`);
  }

  /** Writes the run, then its summary (with the run's size on disk). */
  async save(saved: SavedRun): Promise<SavedRunSummary> {
    const parsed = checkSavedRun(saved);
    if (!parsed.ok) throw new Error(`refusing to save an invalid run: ${parsed.error}`);
    await mkdir(this.root, { recursive: true });
    const body = `${JSON.stringify(saved)}\n`;
    await this.writeAtomically(this.runFile(saved.id), body);
    const summary = summarize(saved, Buffer.byteLength(body));
    await this.writeAtomically(this.summaryFile(saved.id), `${JSON.stringify(summary)}\n`);
    return summary;
  }

  /**
   * Every run whose summary and data file are both there and valid, newest first. A run file whose
   * summary is missing (a save cut short between the two) gets its summary rebuilt.
   */
  async list(): Promise<SavedRunSummary[]> {
    const names = await this.names();
    const out: SavedRunSummary[] = [];
    const summarized = new Set<string>();
    for (const name of names) {
      if (!name.endsWith(SUMMARY)) continue;
      const id = name.slice(0, -SUMMARY.length);
      if (!isSavedRunId(id)) continue;
      const file = join(this.root, name);
      const json = await readJson(file);
      const parsed = json.ok ? checkSavedRunSummary(json.value) : json;
      if (!parsed.ok) {
        this.log(`${file}: skipped, not a saved-run summary (${parsed.error})`);
        continue;
      }
      if (parsed.value.id !== id) {
        this.log(`${file}: skipped, it names run ${parsed.value.id}`);
        continue;
      }
      if (!names.includes(`${id}${RUN}`)) {
        this.log(`${file}: skipped, its run file ${id}${RUN} is missing`);
        continue;
      }
      summarized.add(id);
      out.push(parsed.value);
    }
    for (const name of names) {
      if (!name.endsWith(RUN)) continue;
      const id = name.slice(0, -RUN.length);
      if (summarized.has(id) || !isSavedRunId(id)) continue;
      const rebuilt = await this.rebuildSummary(id);
      if (rebuilt) out.push(rebuilt);
    }
    return out.sort(newestFirst);
  }

  /** The saved run, validated; a UserError naming the file when it is gone or does not pass. */
  async load(id: string): Promise<SavedRun> {
    const file = this.runFile(id);
    const json = await readJson(file);
    if (!json.ok)
      throw new UserError(`cannot read the saved run: ${json.error}`, file, null, 'delete this run');
    const parsed = checkSavedRun(json.value);
    if (!parsed.ok) throw new UserError(`not a saved run: ${parsed.error}`, file, null, 'delete this run');
    if (parsed.value.id !== id) throw new UserError(`the file holds run ${parsed.value.id}`, file);
    return parsed.value;
  }

  async remove(id: string): Promise<void> {
    // The summary first: a run without one is not listed, even if removing its data then fails.
    await rm(this.summaryFile(id), { force: true });
    await rm(this.runFile(id), { force: true });
  }

  /**
   * Keeps at most `maxRuns` runs and `maxBytes` bytes, newest first; the newest run always stays,
   * whatever its size. Also removes temporary files that a dead save left behind. Returns the ids
   * removed, oldest last.
   */
  async prune(cap: RunStoreCap): Promise<SavedRunSummary[]> {
    const runs = await this.list();
    const dropped: SavedRunSummary[] = [];
    let bytes = 0;
    runs.forEach((r, i) => {
      bytes += r.bytes;
      if (i > 0 && (i >= cap.maxRuns || bytes > cap.maxBytes)) dropped.push(r);
    });
    for (const r of dropped) await this.remove(r.id);
    const now = Date.now();
    for (const name of await this.names()) {
      if (!name.includes('.tmp-')) continue;
      const file = join(this.root, name);
      const age = await stat(file).then(
        (s) => now - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_TEMP_MS) await rm(file, { force: true });
    }
    return dropped;
  }

  private async rebuildSummary(id: string): Promise<SavedRunSummary | null> {
    const file = this.runFile(id);
    const json = await readJson(file);
    const parsed = json.ok ? checkSavedRun(json.value) : json;
    if (!parsed.ok || parsed.value.id !== id) {
      this.log(
        `${file}: skipped, not a saved run (${parsed.ok ? `it names ${parsed.value.id}` : parsed.error})`,
      );
      return null;
    }
    const bytes = await stat(file).then((s) => s.size);
    const summary = summarize(parsed.value, bytes);
    try {
      await this.writeAtomically(this.summaryFile(id), `${JSON.stringify(summary)}\n`);
      this.log(`${file}: its summary was missing and has been rebuilt`);
    } catch (e) {
      // Listed all the same: the next list tries again.
      this.log(`${file}: its summary was missing and could not be written (${(e as Error).message})`);
    }
    return summary;
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /** Readers see the old file or the new one, never a part: rename replaces atomically (POSIX and NTFS). */
  private async writeAtomically(file: string, body: string): Promise<void> {
    const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(temp, body, { flag: 'wx' });
      await rename(temp, file);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }
}

function checkedId(id: string): string {
  if (!isSavedRunId(id)) throw new UserError(`not a saved-run id: ${JSON.stringify(id).slice(0, 60)}`);
  return id;
}

async function readJson(file: string): Promise<Parsed<unknown>> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, error: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (e) {
    return { ok: false, error: `not JSON (${(e as Error).message})` };
  }
}
