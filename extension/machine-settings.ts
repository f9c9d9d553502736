/**
 * Settings that name code which will run — `nodePath` (the engine's runtime: fork's execPath),
 * `tfjsNodePath` (a folder whose native addon the engine require()s) and `pythonPath` (the
 * interpreter live runs use where the Python extension is absent). They are `machine`-scoped in
 * package.json, so VS Code does not apply a repository's .vscode/settings.json to them; they are
 * also read here from the user's own settings only, so a workspace value is ignored even where an
 * older VS Code or a remote setup would have applied it. Ignoring one is logged once per setting.
 */
import type * as vscode from 'vscode';

export const MACHINE_SETTINGS = ['nodePath', 'tfjsNodePath', 'pythonPath'] as const;
export type MachineSetting = (typeof MACHINE_SETTINGS)[number];

type Inspect = Pick<vscode.WorkspaceConfiguration, 'inspect'>;

export class MachineSettings {
  private readonly warned = new Set<MachineSetting>();

  constructor(private readonly warn: (message: string) => void) {}

  /** The user's (or remote machine's) value; '' when unset. Workspace values never count. */
  read(config: Inspect, key: MachineSetting): string {
    const seen = config.inspect<unknown>(key);
    const fromWorkspace = [
      seen?.workspaceValue,
      seen?.workspaceFolderValue,
      seen?.workspaceLanguageValue,
      seen?.workspaceFolderLanguageValue,
    ].some((v) => v !== undefined);
    if (fromWorkspace && !this.warned.has(key)) {
      this.warned.add(key);
      this.warn(
        `ignored activationLens.${key} from this workspace's settings: it names a program that would run, so only your user settings can set it (Preferences: Open User Settings)`,
      );
    }
    return typeof seen?.globalValue === 'string' ? seen.globalValue : '';
  }
}
