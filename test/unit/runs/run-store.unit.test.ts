// The run store on a real folder: saves are whole or absent, listing is newest first and skips
// (with one log line each) whatever does not validate, loading validates before anyone displays
// it, and the cap drops the oldest runs first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src/run-store';
import { savedRunFromState } from '../../../src/saved-run';
import { isUserError } from '../../../src/errors';
import type { SavedRun } from '../../../src/protocol';
import { finishedState } from './finished-run';

function store() {
  const root = join(mkdtempSync(join(tmpdir(), 'al-runs-')), 'runs');
  const logs: string[] = [];
  return { root, logs, runs: new RunStore(root, (m) => logs.push(m)) };
}

/** Saved runs a minute apart, oldest first. */
function savedRuns(n: number, shape: Parameters<typeof finishedState>[0] = {}): SavedRun[] {
  return Array.from({ length: n }, (_, i) =>
    savedRunFromState(
      finishedState({ ...shape, runId: `run-${i}` }),
      new Date(Date.UTC(2025, 2, 12, 14, i)),
    )!,
  );
}

test('save → list → load: the run comes back whole, listed with its headline', async () => {
  const { root, runs, logs } = store();
  const [saved] = savedRuns(1);
  const summary = await runs.save(saved!);
  assert.deepEqual(readdirSync(root).sort(), [`${saved!.id}.run.json`, `${saved!.id}.summary.json`]);
  assert.equal(summary.bytes, readFileSync(join(root, `${saved!.id}.run.json`)).length);
  assert.equal(summary.headline, 'dense 41% dead');
  assert.equal(summary.model, 'mnist_cnn');
  assert.equal(summary.steps, 40);
  assert.deepEqual(await runs.list(), [summary]);
  const loaded = await runs.load(saved!.id);
  assert.deepEqual(loaded, JSON.parse(JSON.stringify(saved)));
  assert.deepEqual(logs, []);
});

test('listing is newest first, by the time saved', async () => {
  const { runs } = store();
  const all = savedRuns(4);
  for (const s of [all[2]!, all[0]!, all[3]!, all[1]!]) await runs.save(s);
  assert.deepEqual(
    (await runs.list()).map((r) => r.id),
    [...all].reverse().map((s) => s.id),
  );
});

test('atomic writes: no temporary file stays; a save that fails leaves no half summary', async () => {
  const { root, runs, logs } = store();
  const [a, b] = savedRuns(2);
  await runs.save(a!);
  // The summary's place is taken by a folder: the rename onto it fails after the run file is written.
  mkdirSync(join(root, `${b!.id}.summary.json`));
  await assert.rejects(runs.save(b!));
  assert.ok(!readdirSync(root).some((n) => n.includes('.tmp-')), readdirSync(root).join(', '));
  // b's data is whole, so its summary is rebuilt from it (and the failure to write it is logged).
  const listed = await runs.list();
  assert.deepEqual(
    listed.map((r) => r.id),
    [b!.id, a!.id],
  );
  assert.ok(logs.some((l) => l.includes(`${b!.id}.run.json`) && /could not be written/.test(l)));
});

test('a run file without its summary (a save cut short) is listed with a rebuilt summary', async () => {
  const { root, runs, logs } = store();
  const [a] = savedRuns(1);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, `${a!.id}.run.json`), JSON.stringify(a));
  const [listed] = await runs.list();
  assert.equal(listed?.id, a!.id);
  assert.equal(listed?.headline, 'dense 41% dead');
  assert.ok(readdirSync(root).includes(`${a!.id}.summary.json`));
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /summary was missing and has been rebuilt/);
});

test('corrupt files are skipped, each with a log line naming it; the valid run stays listed', async () => {
  const { root, runs, logs } = store();
  const [good, other] = savedRuns(2);
  await runs.save(good!);
  const w = (name: string, body: string) => writeFileSync(join(root, name), body);
  w('garbage.summary.json', '{ not json');
  w('garbage.run.json', '{}');
  w('wrong-id.summary.json', readFileSync(join(root, `${good!.id}.summary.json`), 'utf8'));
  w('wrong-id.run.json', '{}');
  w(
    'no-run.summary.json',
    JSON.stringify({
      ...JSON.parse(readFileSync(join(root, `${good!.id}.summary.json`), 'utf8')),
      id: 'no-run',
    }),
  );
  w('hostile.summary.json', '{"id":"hostile","__proto__":{"polluted":true}}');
  w('hostile.run.json', '{}');
  // A run file that is JSON but not a saved run, with no summary.
  w(`${other!.id}.run.json`, JSON.stringify({ ...other, report: { ...other!.report, schema: 'x' } }));
  const listed = await runs.list();
  assert.deepEqual(
    listed.map((r) => r.id),
    [good!.id],
  );
  for (const name of [
    'garbage.summary.json',
    'wrong-id.summary.json',
    'no-run.summary.json',
    'hostile.summary.json',
    `${other!.id}.run.json`,
  ])
    assert.ok(
      logs.some((l) => l.includes(join(root, name)) && /skipped/.test(l)),
      `${name}: ${logs.join('\n')}`,
    );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('load validates with the protocol before anything displays it; ids cannot climb out', async () => {
  const { root, runs } = store();
  const [a] = savedRuns(1);
  await runs.save(a!);
  const file = join(root, `${a!.id}.run.json`);
  const broken = JSON.parse(readFileSync(file, 'utf8')) as SavedRun;
  // One probe says more dead units than the layer has: refused with where it is.
  broken.probes[1]!.layers[0]!.dead.count = 999;
  writeFileSync(file, JSON.stringify(broken));
  await assert.rejects(runs.load(a!.id), (e: unknown) => {
    assert.ok(isUserError(e));
    assert.equal(e.file, file);
    assert.match(e.message, /not a saved run: saved run\.probes\[1\]\.layers\[0\]\.dead\.count/);
    return true;
  });
  writeFileSync(file, '[');
  await assert.rejects(runs.load(a!.id), /cannot read the saved run: not JSON/);
  for (const id of ['../x', '.hidden', 'a/b', '', 'x'.repeat(200)])
    await assert.rejects(runs.load(id), /not a saved-run id/);
  await assert.rejects(runs.remove('../../etc/passwd'), /not a saved-run id/);
  await assert.rejects(runs.load('never-saved'), /cannot read the saved run: unreadable \(ENOENT\)/);
});

test('save refuses a run the protocol would refuse on the way back', async () => {
  const { runs } = store();
  const [a] = savedRuns(1);
  await assert.rejects(
    runs.save({ ...a!, report: { ...a!.report, backend: 'x'.repeat(500) } }),
    /refusing to save an invalid run: saved run\.report\.backend/,
  );
});

test('the cap: at most maxRuns, at most maxBytes, oldest dropped first, the newest always kept', async () => {
  const { root, runs } = store();
  const all = savedRuns(5);
  for (const s of all) await runs.save(s);
  const bytes = (await runs.list())[0]!.bytes;
  const dropped = await runs.prune({ maxRuns: 3, maxBytes: 1e12 });
  assert.deepEqual(
    dropped.map((r) => r.id),
    [all[1]!.id, all[0]!.id],
  );
  assert.deepEqual(
    (await runs.list()).map((r) => r.id),
    [all[4]!.id, all[3]!.id, all[2]!.id],
  );
  assert.equal(readdirSync(root).length, 6, 'both files of each dropped run are gone');
  // Room for two runs and a half: the third-newest goes.
  await runs.prune({ maxRuns: 50, maxBytes: Math.round(bytes * 2.5) });
  assert.deepEqual(
    (await runs.list()).map((r) => r.id),
    [all[4]!.id, all[3]!.id],
  );
  // A cap smaller than one run keeps the newest run all the same.
  await runs.prune({ maxRuns: 50, maxBytes: 10 });
  assert.deepEqual(
    (await runs.list()).map((r) => r.id),
    [all[4]!.id],
  );
});

test('prune removes temporary files a dead save left, not ones a save may still be writing', async () => {
  const { root, runs } = store();
  const [a] = savedRuns(1);
  await runs.save(a!);
  const stale = join(root, `${a!.id}.run.json.tmp-1-aaaa`);
  const fresh = join(root, `${a!.id}.run.json.tmp-2-bbbb`);
  writeFileSync(stale, '{');
  writeFileSync(fresh, '{');
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(stale, hourAgo, hourAgo);
  await runs.prune({ maxRuns: 50, maxBytes: 1e9 });
  assert.ok(!readdirSync(root).includes(`${a!.id}.run.json.tmp-1-aaaa`));
  assert.ok(readdirSync(root).includes(`${a!.id}.run.json.tmp-2-bbbb`));
  assert.equal((await runs.list()).length, 1);
});

test('an empty or missing folder lists nothing', async () => {
  const { runs } = store();
  assert.deepEqual(await runs.list(), []);
  assert.deepEqual(await runs.prune({ maxRuns: 1, maxBytes: 1 }), []);
});
