/**
 * How to run npm without a shell on every platform. A shell would re-split the arguments: on
 * Windows `spawn('npm.cmd', args, { shell: true })` passes them unquoted to cmd.exe, so an install
 * prefix under "C:\Users\Ada Lovelace\…" broke into two arguments (and `&`, `(` or `%` in a path
 * would mean something to cmd.exe). Pure: the platform, the environment and the file system are
 * passed in, so every platform's choice is unit-tested anywhere.
 */
import * as path from 'node:path';
import { existsSync } from 'node:fs';

export interface NpmHost {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  exists: (file: string) => boolean;
}

export interface NpmInvocation {
  command: string;
  args: string[];
  /** Always false; windowsVerbatimArguments only for the cmd.exe fallback, whose line we quote. */
  options: { shell: false; windowsVerbatimArguments?: true };
}

export function currentNpmHost(): NpmHost {
  return { platform: process.platform, env: process.env, exists: existsSync };
}

/**
 * npm with `npmArgs`, or why it cannot be run safely (Windows only: no npm.cmd on PATH, or a shim
 * run through cmd.exe with an argument cmd.exe would expand even inside quotes).
 */
export function npmInvocation(
  npmArgs: string[],
  host: NpmHost = currentNpmHost(),
): NpmInvocation | { error: string } {
  // POSIX: `npm` is an executable script; execvp runs it and each argument stays one argument.
  if (host.platform !== 'win32') return { command: 'npm', args: npmArgs, options: { shell: false } };
  const win = path.win32;
  const dirs = searchPath(host.env);
  const npmCmd = dirs.map((d) => win.join(d, 'npm.cmd')).find(host.exists);
  if (!npmCmd) return { error: 'npm.cmd was not found on PATH' };
  // npm.cmd only runs `node npm-cli.js %*`: run that directly, with node.exe beside npm.cmd (the
  // Node.js installer, nvm-windows) or, for an `npm i -g npm` in %AppData%\npm, the one on PATH.
  const cli = win.join(win.dirname(npmCmd), 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const node = [win.dirname(npmCmd), ...dirs].map((d) => win.join(d, 'node.exe')).find(host.exists);
  if (host.exists(cli) && node) return { command: node, args: [cli, ...npmArgs], options: { shell: false } };
  // A shim we cannot see through (Volta, Scoop): cmd.exe runs it, with every argument quoted and the
  // line passed verbatim. Inside quotes cmd.exe still expands %…% (and !…! with delayed expansion),
  // and a `"` would end the quoting: such an argument is refused rather than mangled.
  const unsafe = npmArgs.find((a) => /["%!\r\n]/.test(a));
  if (unsafe !== undefined)
    return { error: `${npmCmd} is a shim run through cmd.exe, which would alter the argument ${unsafe}` };
  const line = [npmCmd, ...npmArgs].map((a) => `"${a}"`).join(' ');
  return {
    command: envValue(host.env, 'ComSpec') ?? 'C:\\Windows\\System32\\cmd.exe',
    args: ['/d', '/s', '/c', `"${line}"`],
    options: { shell: false, windowsVerbatimArguments: true },
  };
}

/** PATH's folders in order (Windows spells the variable `Path`; entries may be quoted). */
function searchPath(env: NodeJS.ProcessEnv): string[] {
  return (envValue(env, 'PATH') ?? '')
    .split(';')
    .map((d) => d.trim().replace(/^"(.*)"$/, '$1'))
    .filter((d) => d.length > 0);
}

/** Windows environment names are case-insensitive; a copied env object is not. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key ? env[key] : undefined;
}
