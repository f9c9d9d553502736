/**
 * The terminal a live training script's output goes to: a Pseudoterminal fed by the child process's
 * stdout and stderr (so the person sees their script exactly as it prints — progress bars redraw
 * with their carriage returns), with typed input passed to its stdin (a line at a time, echoed, so
 * `input()` and `breakpoint()` work) and Ctrl-C passed on as SIGINT. Closing the terminal stops the
 * script, as closing any terminal does.
 */
import * as vscode from 'vscode';

/** Output held until VS Code opens the terminal (it opens it asynchronously). */
const MAX_EARLY_OUTPUT = 1_000_000;

export interface ScriptTerminalHooks {
  /** Ctrl-C typed in the terminal. */
  interrupt: () => void;
  /** A line typed, with its newline. */
  input: (line: string) => void;
  /** The person closed the terminal. */
  closed: () => void;
}

export class ScriptTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private opened = false;
  private early = '';
  private line = '';

  constructor(private readonly hooks: ScriptTerminalHooks) {}

  open(): void {
    this.opened = true;
    if (this.early) this.writer.fire(this.early);
    this.early = '';
  }

  close(): void {
    this.hooks.closed();
  }

  handleInput(data: string): void {
    for (const ch of data) {
      if (ch === '\x03') {
        this.line = '';
        this.write('^C\n');
        this.hooks.interrupt();
      } else if (ch === '\r') {
        this.write('\n');
        this.hooks.input(`${this.line}\n`);
        this.line = '';
      } else if (ch === '\x7f') {
        if (this.line) {
          this.line = this.line.slice(0, -1);
          this.writer.fire('\b \b');
        }
      } else if (ch >= ' ') {
        this.line += ch;
        this.writer.fire(ch);
      }
    }
  }

  /** The script's output (or a note of ours); newlines become the terminal's CR LF. */
  write(text: string): void {
    const out = text.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.writer.fire(out);
    else this.early = (this.early + out).slice(-MAX_EARLY_OUTPUT);
  }

  dispose(): void {
    this.writer.dispose();
    this.closer.dispose();
  }
}
