// Which Python a live run uses, against a FAKE of the Python extension (ms-python.python cannot be
// installed here: no marketplace is reachable, so its real API is never exercised in these tests).
// The fake sits where the real one would — `vscode.extensions.getExtension('ms-python.python')`
// with `exports.environments` — so @vscode/python-extension's own facade runs against it.
import { reset, recorded, Uri } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseInterpreter,
  pythonExtensionEnvironments,
  type InterpreterDeps,
} from '../../../extension/python-interpreter';
import { MachineSettings } from '../../../extension/machine-settings';

beforeEach(reset);

const SCRIPT = Uri.file('/work/project/train.py');

/** The Python extension as its environments API looks to a caller, recording what it was asked. */
function installFakePythonExtension(
  executables: Record<string, string | undefined>,
  active = '/venv/bin/python',
) {
  const asked: { active: unknown[]; resolved: unknown[]; activated: number } = {
    active: [],
    resolved: [],
    activated: 0,
  };
  const environments = {
    getActiveEnvironmentPath(resource?: unknown) {
      asked.active.push(resource);
      return { id: active, path: active };
    },
    resolveEnvironment(env: { path: string } | string) {
      asked.resolved.push(env);
      const path = typeof env === 'string' ? env : env.path;
      const exe = executables[path];
      return Promise.resolve(
        exe === undefined
          ? undefined
          : { id: path, path, executable: { uri: Uri.file(exe), bitness: '64-bit' } },
      );
    },
  };
  const extension = {
    isActive: false,
    activate() {
      asked.activated++;
      extension.isActive = true;
      return Promise.resolve(extension.exports);
    },
    exports: { environments },
  };
  recorded.extensions.set('ms-python.python', extension);
  return asked;
}

function deps(setting = ''): InterpreterDeps & { logs: string[] } {
  const logs: string[] = [];
  return {
    environments: pythonExtensionEnvironments,
    settingPath: () => setting,
    log: (m) => logs.push(m),
    logs,
  };
}

test('the interpreter selected in the Python extension, for the script being run', async () => {
  const asked = installFakePythonExtension({ '/venv/bin/python': '/venv/bin/python3.12' });
  const choice = await chooseInterpreter(SCRIPT as never, deps('/ignored/python'));
  assert.deepEqual(choice, {
    ok: true,
    interpreter: { path: '/venv/bin/python3.12', source: 'python extension' },
  });
  assert.equal(asked.activated, 1, 'the facade activates the extension before asking it');
  assert.deepEqual(asked.active, [SCRIPT], 'asked for the script’s own folder (multi-root)');
  assert.deepEqual(asked.resolved, [{ id: '/venv/bin/python', path: '/venv/bin/python' }]);
});

test('without the Python extension: activationLens.pythonPath, else a message that says what to do', async () => {
  assert.deepEqual(await chooseInterpreter(SCRIPT as never, deps('/opt/py/bin/python')), {
    ok: true,
    interpreter: { path: '/opt/py/bin/python', source: 'activationLens.pythonPath' },
  });
  const none = await chooseInterpreter(SCRIPT as never, deps(''));
  assert.equal(none.ok, false);
  assert.match(
    (none as { problem: string }).problem,
    /no Python interpreter: the Python extension is not installed; select one with "Python: Select Interpreter" \(Python extension\), or set activationLens.pythonPath/,
  );
});

test('a selected interpreter that no longer exists is named; the setting is the fallback', async () => {
  installFakePythonExtension({}, '/gone/bin/python');
  const none = await chooseInterpreter(SCRIPT as never, deps(''));
  assert.match(
    (none as { problem: string }).problem,
    /selected in the Python extension \(\/gone\/bin\/python\) could not be found/,
  );
  const fallback = await chooseInterpreter(SCRIPT as never, deps('/opt/py/bin/python'));
  assert.equal(fallback.ok && fallback.interpreter.source, 'activationLens.pythonPath');
});

test('a Python extension that fails to activate is logged, and the setting used', async () => {
  recorded.extensions.set('ms-python.python', {
    isActive: false,
    activate: () => Promise.reject(new Error('activation failed')),
    exports: undefined,
  });
  const d = deps('/opt/py/bin/python');
  const choice = await chooseInterpreter(SCRIPT as never, d);
  assert.equal(choice.ok && choice.interpreter.path, '/opt/py/bin/python');
  assert.match(d.logs.join('\n'), /the Python extension's API is not available: activation failed/);
});

test('activationLens.pythonPath is read from user settings only (it names a program that runs)', () => {
  const warnings: string[] = [];
  const settings = new MachineSettings((m) => warnings.push(m));
  const config = (globalValue?: string, workspaceValue?: string) => ({
    inspect: () => ({ key: 'activationLens.pythonPath', globalValue, workspaceValue }),
  });
  assert.equal(settings.read(config('/home/me/py', undefined) as never, 'pythonPath'), '/home/me/py');
  assert.equal(settings.read(config(undefined, '/repo/evil') as never, 'pythonPath'), '');
  assert.match(warnings[0] ?? '', /ignored activationLens.pythonPath from this workspace's settings/);
});
