// A partial model is never read as the whole one in the dashboard: a banner lists each part left
// out with its line (a click asks the host to go there), the status line says "partial model", and
// the file's other models are named. In the built dashboard, in Chromium; skips where it is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { applyEngineEvent, emptyDashboardState } from '../../../src/dashboard-state';
import type { RunStartedEvent } from '../../../src/protocol';
import { CHROMIUM, openDashboard } from '../../support/dashboard-page';
import { runStarted } from '../extension/fixtures';

const FILE = '/w/custom_layers.py';

function started(partial: boolean): RunStartedEvent {
  const base = runStarted('r', FILE);
  return {
    ...base,
    model: {
      ...base.model,
      name: 'combined',
      ...(partial
        ? {
            omitted: [
              {
                what: 'the layer Antirectifier',
                reason: 'the custom layer class Antirectifier runs arbitrary Python',
                source: { file: FILE, line: 18, column: 9 },
              },
              {
                what: 'keras.layers.Lambda',
                reason: 'a Lambda layer runs arbitrary Python',
                source: { file: FILE, line: 19, column: 9 },
              },
            ],
          }
        : {}),
      alternatives: [{ name: 'generator', source: { file: FILE, line: 8, column: 13 } }],
    },
  };
}

test(
  'the partial banner lists the omitted parts with their lines; a click goes to the line',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is missing` },
  async () => {
    const d = await openDashboard();
    try {
      await d.sendState(applyEngineEvent(emptyDashboardState(), started(true)));
      await d.page.waitForSelector('.partial-banner');
      assert.equal(await d.page.getAttribute('.partial-banner', 'role'), 'alert');
      assert.match(
        (await d.page.textContent('.partial-banner .partial-title')) ?? '',
        /^Partial model: 2 parts of the file were left out of what was analysed\./,
      );
      assert.deepEqual(await d.page.locator('.omitted-parts li').allTextContents(), [
        'line 18 the layer Antirectifier — the custom layer class Antirectifier runs arbitrary Python',
        'line 19 keras.layers.Lambda — a Lambda layer runs arbitrary Python',
      ]);
      assert.match(
        (await d.page.textContent('#status')) ?? '',
        /^Running combined \(partial model\) on wasm/,
      );
      assert.match(
        (await d.page.textContent('.other-models')) ?? '',
        /combined was analysed; this file also defines generator \(line 8\)/,
      );
      await d.page.click('.omitted-parts li:nth-child(2) a.line-link');
      await d.page.click('.other-models a.line-link');
      assert.deepEqual((await d.posted()).slice(1), [
        { v: 1, type: 'go-to-line', line: 19, column: 9 },
        { v: 1, type: 'go-to-line', line: 8, column: 13 },
      ]);
      // A complete model: no banner, only the note about the file's other models.
      await d.sendState(applyEngineEvent(emptyDashboardState(), started(false)));
      await d.page.waitForSelector('.partial-banner', { state: 'detached' });
      assert.equal(await d.page.locator('.model-note').count(), 1);
      assert.doesNotMatch((await d.page.textContent('#status')) ?? '', /partial/);
      assert.deepEqual(d.problems, []);
    } finally {
      await d.close();
    }
  },
);
