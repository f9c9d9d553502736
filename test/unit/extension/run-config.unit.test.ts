import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDITOR_STEPS, buildRunConfig, settingDefaults } from '../../../extension/run-config';
import { BACKENDS, defaultRunConfig } from '../../../src/run-config';
import pkg from '../../../package.json';
import { engineEnvironment, TFJS_NODE_PATH_ENV } from '../../../extension/engine-environment';
import { TFJS_NODE_PATH_ENV as ENGINE_TFJS_NODE_PATH_ENV } from '../../../src/backend/routes';
import { findingsToSarif } from '../../../extension/sarif';
import type { Finding } from '../../../src/protocol';

test('defaults: 300 steps, probe 256, adaptive interval, 3% overhead, the example when no file', () => {
  const c = buildRunConfig(() => undefined, { file: null, workspaceFolder: null });
  assert.deepEqual(
    {
      steps: c.steps,
      probe: c.probe,
      every: c.every,
      overhead: c.overheadBudget,
      backend: c.backend,
      data: c.data,
      example: c.example,
      dead: c.deadThreshold,
      tau: c.dormantTau,
      alpha: c.eluAlpha,
      whatIf: c.whatIf,
    },
    {
      steps: 300,
      probe: 256,
      every: null,
      overhead: 0.03,
      backend: 'auto',
      data: 'digits',
      example: 'mnist-cnn',
      dead: 0.1,
      tau: 0.025,
      alpha: 1,
      whatIf: null,
    },
  );
});

test("package.json's settings declare the defaults defaultRunConfig() starts from, and the backends in order", () => {
  const properties = pkg.contributes.configuration.properties as Record<
    string,
    { default?: unknown; enum?: string[]; enumDescriptions?: string[] }
  >;
  const declared = (key: string) => properties[`activationLens.${key}`]?.default;
  const d = defaultRunConfig();
  // Setting → the RunConfig value it becomes (probeEvery 0 means adaptive: every = null).
  assert.deepEqual(
    {
      steps: declared('steps'),
      probeSize: declared('probeSize'),
      probeEvery: declared('probeEvery') === 0 ? null : declared('probeEvery'),
      overheadBudget: declared('overheadBudget'),
      deadThreshold: declared('deadThreshold'),
      dormantTau: declared('dormantTau'),
      backend: declared('backend'),
      data: declared('data'),
      eluAlpha: declared('eluAlpha'),
    },
    {
      steps: EDITOR_STEPS,
      probeSize: d.probe,
      probeEvery: d.every,
      overheadBudget: d.overheadBudget,
      deadThreshold: d.deadThreshold,
      dormantTau: d.dormantTau,
      backend: d.backend,
      data: d.data,
      eluAlpha: d.eluAlpha,
    },
  );
  for (const [key, value] of Object.entries(settingDefaults())) assert.equal(declared(key), value, key);
  const backend = properties['activationLens.backend']!;
  assert.deepEqual(backend.enum, BACKENDS);
  assert.equal(backend.enumDescriptions?.length, BACKENDS.length);
});

test('settings flow through; bad values fall back or clamp; relative data paths resolve', () => {
  const s: Record<string, unknown> = {
    steps: 50,
    probeSize: 64,
    probeEvery: 10,
    backend: 'webgpu',
    data: 'data/mnist.npz',
    eluAlpha: 0.5,
    deadThreshold: 7,
  };
  const c = buildRunConfig((k) => s[k], { file: '/w/m.py', workspaceFolder: '/w' }, { layers: ['dense'] });
  assert.equal(c.file, '/w/m.py');
  assert.equal(c.example, null);
  assert.equal(c.steps, 50);
  assert.equal(c.every, 10);
  assert.equal(c.backend, 'webgpu');
  assert.equal(c.data, '/w/data/mnist.npz');
  assert.equal(c.deadThreshold, 1);
  assert.equal(c.whatIf, 'elu');
  assert.deepEqual(c.whatIfLayers, ['dense']);
  assert.equal(
    buildRunConfig((k) => ({ backend: 'cuda' })[k], { file: null, workspaceFolder: null }).backend,
    'auto',
  );
  assert.equal(
    buildRunConfig(() => undefined, { file: null, workspaceFolder: null }, { layers: [] }).whatIfLayers,
    null,
  );
  // Counts written as fractions in settings.json (the schema only warns): the nearest whole number.
  const fractional = buildRunConfig((k) => ({ steps: 12.5, probeSize: 63.4, probeEvery: 2.6 })[k], {
    file: null,
    workspaceFolder: null,
  });
  assert.deepEqual([fractional.steps, fractional.probe, fractional.every], [13, 63, 3]);
});

test('engine runtime: VS Code runtime as Node by default; a Node binary and tfjs-node search paths when set', () => {
  const a = engineEnvironment({
    baseEnv: { PATH: '/bin' },
    nodePath: '',
    tfjsNodePath: '',
    installedFolders: [],
  });
  assert.equal(TFJS_NODE_PATH_ENV, ENGINE_TFJS_NODE_PATH_ENV, 'host and engine agree on the variable');
  assert.equal(a.execPath, undefined);
  assert.equal(a.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(a.env.ACTIVATION_LENS_TFJS_NODE_PATH, undefined);
  assert.equal(a.env.PATH, '/bin');
  const b = engineEnvironment({
    baseEnv: { ELECTRON_RUN_AS_NODE: '1' },
    nodePath: ' /usr/bin/node ',
    tfjsNodePath: '/opt/tfjs',
    installedFolders: ['/gs/tfjs-node-gpu', '/gs/tfjs-node'],
  });
  assert.equal(b.execPath, '/usr/bin/node');
  assert.equal(b.env.ELECTRON_RUN_AS_NODE, undefined);
  assert.equal(
    b.env.ACTIVATION_LENS_TFJS_NODE_PATH,
    ['/opt/tfjs', '/gs/tfjs-node-gpu', '/gs/tfjs-node'].join(process.platform === 'win32' ? ';' : ':'),
  );
});

test('SARIF 2.1.0: one rule per kind, results with levels and workspace-relative locations', () => {
  const findings: Finding[] = [
    {
      kind: 'dead-units',
      layer: 'dense',
      severity: 'warning',
      message: '41% dead',
      evidence: { dead: 105, units: 256 },
      source: { file: '/w/m.py', line: 7, column: 5 },
    },
    {
      kind: 'mean-drift',
      layer: 'dense',
      severity: 'info',
      message: 'drift',
      evidence: { from: 0.1, to: 0.4 },
      source: { file: '/elsewhere/x.py', line: 2, column: 1 },
    },
    {
      kind: 'overfitting',
      layer: null,
      severity: 'warning',
      message: 'val loss up',
      evidence: {},
      source: null,
    },
  ];
  const sarif = findingsToSarif(findings, { toolVersion: '0.1.0', workspaceFolder: '/w' }) as {
    version: string;
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        locations?: {
          physicalLocation: {
            artifactLocation: { uri: string; uriBaseId?: string };
            region: { startLine: number };
          };
        }[];
      }[];
    }[];
  };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0]!;
  assert.deepEqual(
    run.tool.driver.rules.map((r) => r.id),
    ['dead-units', 'mean-drift', 'overfitting'],
  );
  assert.deepEqual(
    run.results.map((r) => [r.ruleId, r.ruleIndex, r.level]),
    [
      ['dead-units', 0, 'warning'],
      ['mean-drift', 1, 'note'],
      ['overfitting', 2, 'warning'],
    ],
  );
  assert.deepEqual(run.results[0]?.locations?.[0]?.physicalLocation, {
    artifactLocation: { uri: 'm.py', uriBaseId: 'SRCROOT' },
    region: { startLine: 7, startColumn: 5 },
  });
  assert.equal(
    run.results[1]?.locations?.[0]?.physicalLocation.artifactLocation.uri,
    'file:///elsewhere/x.py',
  );
  assert.equal(run.results[2]?.locations, undefined);
});
