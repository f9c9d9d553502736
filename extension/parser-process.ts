/**
 * The host's side of the parser process (dist/parser.js, entry src/parse-process.ts): a queue of
 * parse requests answered one at a time by a child process with a heap limit and a time limit per
 * parse. Past the time limit the process is killed; past the heap limit V8 aborts it; either way the
 * parse reports why, and the next parse starts a fresh process. No `vscode` here, so it is tested
 * against real child processes.
 *
 * A child process rather than a worker thread: a worker's `resourceLimits` are best-effort — one
 * large allocation (a Map or an array growing past the limit) aborts the whole process with
 * "FATAL ERROR: … heap out of memory" (measured on Node 20.20: exit 134), and here the whole process
 * would be VS Code's extension host. A V8 abort in a child costs only the child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ModelSpec } from '../src/model/spec';
import { parseParseReply, type ParseReply, type ParseRequest } from '../src/parse-protocol';

export interface ParserLimits {
  /** Wall time one parse may take; then the process is killed. */
  timeMs: number;
  /** V8's old-generation heap for the process (--max-old-space-size), in MB. */
  heapMb: number;
  /** V8's young-generation semi-space (--max-semi-space-size), in MB. */
  semiSpaceMb: number;
}

/**
 * An ordinary model script parses in well under a second (the first TS/JS one also loads the
 * TypeScript compiler); 5 s and 256 MB leave ample room for that and cut off hostile sources early.
 */
export const DEFAULT_PARSER_LIMITS: ParserLimits = { timeMs: 5000, heapMb: 256, semiSpaceMb: 16 };

export type ParseOutcome =
  | { kind: 'parsed'; spec: ModelSpec }
  /** No model in the file, or the reader refused it: its one-line message. */
  | { kind: 'no-model'; message: string }
  /** Timed out, out of memory, crashed or threw: why, in words. */
  | { kind: 'failed'; message: string }
  /** Withdrawn before it started (a newer version of the document was asked for, or shutdown). */
  | { kind: 'cancelled' };

/** What ModelDocuments needs: the process below in production, anything async in tests. */
export interface ModelParser {
  parse(file: string, text: string, signal?: AbortSignal): Promise<ParseOutcome>;
  dispose(): void;
}

export interface ParserProcessOptions {
  /** The child's entry: dist/parser.js. */
  script: string;
  /** Runtime for the child; default this process's (VS Code's, run as Node). */
  execPath?: string;
  limits?: Partial<ParserLimits>;
}

interface Job {
  request: ParseRequest;
  resolve: (outcome: ParseOutcome) => void;
}

interface Running {
  job: Job;
  child: ChildProcess;
  timer: NodeJS.Timeout;
}

export class ParserProcess implements ModelParser {
  readonly limits: ParserLimits;
  private child: ChildProcess | null = null;
  private stderr = '';
  private readonly queue: Job[] = [];
  private running: Running | null = null;
  private nextId = 1;
  private disposed = false;
  private startedCount = 0;

  constructor(private readonly options: ParserProcessOptions) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...options.limits };
  }

  /** Processes started so far: a restart after a kill shows here. */
  get started(): number {
    return this.startedCount;
  }

  parse(file: string, text: string, signal?: AbortSignal): Promise<ParseOutcome> {
    if (this.disposed || signal?.aborted) return Promise.resolve({ kind: 'cancelled' });
    return new Promise((resolve) => {
      const job: Job = { request: { type: 'parse', id: this.nextId++, file, text }, resolve };
      // A queued parse that nobody wants any more is dropped; a running one finishes (or times out).
      signal?.addEventListener('abort', () => this.withdraw(job), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const job of this.queue.splice(0)) job.resolve({ kind: 'cancelled' });
    if (this.running) this.finish(this.running, { kind: 'cancelled' });
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private withdraw(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i < 0) return;
    this.queue.splice(i, 1);
    job.resolve({ kind: 'cancelled' });
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    const child = this.child ?? this.spawn();
    const timer = setTimeout(() => this.timeOut(running), this.limits.timeMs);
    const running: Running = { job, child, timer };
    this.running = running;
    try {
      child.send(job.request);
    } catch (e) {
      this.retire(child);
      this.finish(running, {
        kind: 'failed',
        message: `the parser process did not take the request (${String(e)})`,
      });
    }
  }

  private spawn(): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    // Our limits, not the environment's: NODE_OPTIONS could raise the heap or add --require.
    delete env.NODE_OPTIONS;
    const child = fork(this.options.script, [], {
      execPath: this.options.execPath ?? process.execPath,
      execArgv: [
        `--max-old-space-size=${this.limits.heapMb}`,
        `--max-semi-space-size=${this.limits.semiSpaceMb}`,
      ],
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.stderr = '';
    this.startedCount++;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.child === child) this.stderr = (this.stderr + d).slice(-4000);
    });
    child.on('message', (raw) => this.receive(child, raw));
    child.on('error', (e) => this.lost(child, `the parser process could not run (${e.message})`));
    child.on('close', (code, signal) => this.lost(child, this.exitReason(code, signal)));
    return child;
  }

  private receive(child: ChildProcess, raw: unknown): void {
    const running = this.running;
    const reply = parseParseReply(raw);
    if (!running || running.child !== child || !reply || reply.id !== running.job.request.id) return;
    this.finish(running, outcomeOf(reply));
  }

  private timeOut(running: Running): void {
    if (this.running !== running) return;
    this.retire(running.child);
    this.finish(running, {
      kind: 'failed',
      message: `parsing took longer than ${this.limits.timeMs / 1000} s (the limit), so it was stopped`,
    });
  }

  /** The child ended or could not start: the parse it was doing fails with the reason. */
  private lost(child: ChildProcess, reason: string): void {
    if (this.child === child) this.child = null;
    const running = this.running;
    if (running?.child === child) this.finish(running, { kind: 'failed', message: reason });
  }

  private exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    const tail = this.stderr;
    if (/heap out of memory|Allocation failed|invalid (array|table) size|invalid size error/i.test(tail))
      return `parsing ran out of memory (the limit is ${this.limits.heapMb} MB), so it was stopped`;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    // Node ends a crash report with its version; the line that says what went wrong is above it.
    const lines = tail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^Node\.js v/.test(l));
    const why = lines.find((l) => /^(\w*Error\b|FATAL)/.test(l)) ?? lines.at(-1);
    return `the parser process ended (${how})${why ? `: ${why.slice(0, 200)}` : ''}`;
  }

  /** Kills a child that is no longer to be used; the next parse starts a fresh one. */
  private retire(child: ChildProcess): void {
    if (this.child === child) this.child = null;
    child.kill('SIGKILL');
  }

  private finish(running: Running, outcome: ParseOutcome): void {
    if (this.running !== running) return;
    clearTimeout(running.timer);
    this.running = null;
    running.job.resolve(outcome);
    // A queued job for a document that moved on was withdrawn already; the rest go on.
    queueMicrotask(() => this.pump());
  }
}

function outcomeOf(reply: ParseReply): ParseOutcome {
  if (reply.type === 'parsed') return { kind: 'parsed', spec: reply.spec };
  return reply.type === 'no-model'
    ? { kind: 'no-model', message: reply.message }
    : { kind: 'failed', message: reply.message };
}
