/**
 * How the live taps attach to a command the person gives (`activation-lens watch -- COMMAND …`, and
 * the VS Code command): a Python interpreter running a script — `python [flags] train.py args…`,
 * or the script alone with `--python` — is rewritten to `python [flags] -m activation_lens run --
 * train.py args…`, which runs the script exactly as Python would (same sys.argv, sys.path[0], exit
 * code) with the taps attached as it imports torch or keras. Any other command (torchrun, a shell
 * script, `python -m pkg`) runs as given, with the listener's address in its environment: its
 * Python attaches if it runs `-m activation_lens run` itself or calls activation_lens.watch() /
 * activation_lens.keras.Callback. No sitecustomize hook: nothing is injected into a Python the
 * person did not point at the taps.
 */
/** python, python3, python3.12, python.exe, pythonw … */
const INTERPRETER = /^python(\d+(\.\d+)?)?w?(\.exe)?$/i;
/** Interpreter options that take a value (`-W error`, `-X dev`). */
const FLAGS_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

export interface TapCommand {
  /** The program and arguments to run. */
  argv: string[];
  /** The script the taps run, when the command was rewritten. */
  script: string | null;
}

export function isPythonInterpreter(program: string): boolean {
  // Either separator: a Windows path may be named on any platform (a setting, a shared script).
  return INTERPRETER.test(program.split(/[\\/]/).pop() ?? program);
}

/**
 * The command to run for `command`: rewritten when it is an interpreter running a script (or a
 * `.py` script alone, run with `python`), else unchanged.
 */
export function tapCommand(command: readonly string[], python: string): TapCommand {
  const [first, ...rest] = command;
  if (first === undefined) return { argv: [], script: null };
  if (first.endsWith('.py')) return rewrite(python, [], first, rest);
  if (!isPythonInterpreter(first)) return { argv: [...command], script: null };
  const flags: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-')) return rewrite(first, flags, arg, rest.slice(i + 1));
    // -m MODULE, -c CODE, `-` (stdin): no script file the taps could run.
    if (arg === '-' || runsOtherThanScript(arg)) return { argv: [...command], script: null };
    flags.push(arg);
    if (FLAGS_WITH_VALUE.has(arg) && i + 1 < rest.length) flags.push(rest[++i]!);
  }
  return { argv: [...command], script: null };
}

/** `-m`, `-c`, or a bundle of short options with one of them (`-um`); -W / -X take the rest. */
function runsOtherThanScript(arg: string): boolean {
  if (arg.startsWith('--')) return false;
  for (const ch of arg.slice(1)) {
    if (ch === 'm' || ch === 'c') return true;
    if (ch === 'W' || ch === 'X') return false;
  }
  return false;
}

function rewrite(python: string, flags: string[], script: string, args: string[]): TapCommand {
  return { argv: [python, ...flags, '-m', 'activation_lens', 'run', '--', script, ...args], script };
}
