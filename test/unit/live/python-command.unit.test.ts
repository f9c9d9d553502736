// How `watch` and the VS Code command attach the taps to a command (src/live/python-command.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPythonInterpreter, tapCommand } from '../../../src/live/python-command';

const RUN = ['-m', 'activation_lens', 'run', '--'];

test('an interpreter running a script is rewritten to run it through the taps, flags kept', () => {
  assert.deepEqual(tapCommand(['python', 'train.py', '--epochs', '1'], 'python3'), {
    argv: ['python', ...RUN, 'train.py', '--epochs', '1'],
    script: 'train.py',
  });
  assert.deepEqual(
    tapCommand(['/venv/bin/python3.12', '-u', '-W', 'ignore', 'a b/t.py', '-m', 'x'], 'p').argv,
    ['/venv/bin/python3.12', '-u', '-W', 'ignore', ...RUN, 'a b/t.py', '-m', 'x'],
  );
  assert.deepEqual(tapCommand(['train.py', '--lr', '0.1'], '/opt/py/bin/python').argv, [
    '/opt/py/bin/python',
    ...RUN,
    'train.py',
    '--lr',
    '0.1',
  ]);
  assert.deepEqual(tapCommand(['C:\\Py\\python.exe', 'train.py'], 'x').script, 'train.py');
});

test('anything else runs as given: -m, -c, stdin, torchrun, a shell script', () => {
  for (const command of [
    ['python', '-m', 'torch.distributed.run', 'train.py'],
    ['python', '-um', 'pkg'],
    ['python', '-c', 'print(1)'],
    ['python', '-'],
    ['python'],
    ['torchrun', '--nproc-per-node', '2', 'train.py'],
    ['./train.sh'],
  ])
    assert.deepEqual(tapCommand(command, 'python3'), { argv: command, script: null }, command.join(' '));
  assert.equal(tapCommand(['python', '-Xfrozen_modules=off', 't.py'], 'p').script, 't.py');
  assert.equal(tapCommand(['python', '--check-hash-based-pycs', 'always', 't.py'], 'p').script, 't.py');
});

test('interpreter names', () => {
  for (const yes of ['python', 'python3', 'python3.12', '/usr/bin/python3', 'python.exe', 'pythonw.exe'])
    assert.ok(isPythonInterpreter(yes), yes);
  for (const no of ['python-config', 'ipython', 'torchrun', 'py']) assert.ok(!isPythonInterpreter(no), no);
});
