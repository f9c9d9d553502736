// Stop in the extension against the real engine process (wasm): the cancel reaches it within a step,
// the partial report arrives, the dashboard state shows it as cancelled, and nothing is killed.
import { reset, recorded } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { RunController } from '../../../extension/run-controller';
import type { RunConfig } from '../../../src/protocol';
import { longWasmRun } from './fixtures';
import { statusText } from '../../../webview/status-header';

const ENGINE = join(__dirname, '..', '..', '..', 'dist', 'engine.js');
const STEPS = 2000;
/** A run that does not stop fails here instead of training its whole budget. */
const TEST_TIMEOUT_MS = 120_000;

beforeEach(reset);

test(
  'Stop: the engine stops within a step, the partial report is shown as cancelled, no kill',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const logs: string[] = [];
    const line = (level: string) => (m: string) => logs.push(`${level} ${m}`);
    const log = {
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
      debug: line('debug'),
      show: () => undefined,
    } as unknown as vscode.LogOutputChannel;
    const config: RunConfig = longWasmRun(STEPS);
    let stopped = false;
    let transitions = 0;
    const controller: RunController = new RunController({
      log,
      launch: () => ({ enginePath: ENGINE, execPath: undefined, env: process.env }),
      onEvent: (e) => {
        if (e.type === 'progress' && !stopped) {
          stopped = true;
          controller.stop();
        }
      },
      onTransition: () => transitions++,
    });
    try {
      // Resolves when the engine process has exited.
      await controller.start(config);
      const s = controller.state;
      assert.ok(stopped, 'training began');
      assert.equal(s.status, 'cancelled', s.error ?? '');
      assert.ok(s.report, 'the partial report arrived');
      assert.equal(s.report.cancelled, true);
      assert.ok(s.report.training.steps < STEPS, `${s.report.training.steps} steps`);
      assert.ok(s.probes.length >= 2, 'the step-0 probe and the final probe of the state reached');
      assert.equal(s.probes.at(-1)?.step, s.report.training.steps);
      assert.match(recorded.statusBarText, /wasm · cancelled/);
      // The dashboard's line for this state names the step reached.
      assert.equal(
        statusText(s),
        `Stopped mnist-cnn on wasm at step ${s.report.training.steps} · the data so far is kept`,
      );
      assert.ok(
        logs.some((l) => /engine process exited \(code 0, signal null\)/.test(l)),
        `the engine ended by itself: ${logs.filter((l) => /exited|kill/.test(l)).join(' | ')}`,
      );
      assert.ok(!logs.some((l) => /killing it/.test(l)));
      assert.ok(!logs.some((l) => /malformed/.test(l)), 'every real event passes the protocol parser');
    } finally {
      controller.dispose();
    }
  },
);
