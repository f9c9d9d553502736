/**
 * The live listener: where a person's own training process (python/activation_lens) sends its
 * events. It binds 127.0.0.1 only, on an ephemeral port, and trusts nothing it receives:
 *
 * - the first line must be a valid `hello` carrying this listener's token (compared in constant
 *   time) within HELLO_TIMEOUT_MS of connecting — otherwise the socket is closed;
 * - every later line is parsed and validated (src/protocol.ts); an invalid event is dropped with a
 *   log line, while a line over 8 MiB, bytes that are not UTF-8, or an event of another run id end
 *   the connection (the run keeps what it had);
 * - one run at a time: a second process that says hello while a run is watched is refused with a
 *   log line. Connections still waiting for their hello are bounded too, so a local process that
 *   opens sockets and says nothing can neither hold memory nor keep the real run out for long.
 *
 * Each accepted connection becomes a LiveRun (src/live/live-run.ts): its events go to the handler as
 * they come (split probes merged), and its end — live-ended, a closed socket or stop() — produces
 * the findings and the report.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  checkEngineEvent,
  checkLiveEnded,
  checkLiveHello,
  type EngineEvent,
  type LiveEnded,
  type LiveHello,
  type Report,
} from '../protocol';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter';
import { defaultLiveSettings, LiveRun, type LiveEnd, type LiveSettings } from './live-run';
import { newToken, sameToken } from './token';

/** A connection must say hello within this time. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Connections waiting for their hello at once; more are closed on arrival. */
export const MAX_WAITING_CONNECTIONS = 8;
/** A probe split over several lines is passed on once no further part came for this long. */
const PROBE_FLUSH_MS = 200;
/** Invalid events logged one by one per connection; the rest are counted. */
const INVALID_LOGGED = 5;

export type LiveEndReason = 'ended' | 'closed' | 'stopped' | 'protocol';

export interface LiveResult {
  hello: LiveHello;
  /** The report (findings from the one advisor); null when the run never started measuring. */
  report: Report | null;
  /** The live-ended line, when the process sent one. */
  ended: LiveEnded | null;
  /** Error messages the process sent (why a script never trained, a failed probe …). */
  errors: string[];
  reason: LiveEndReason;
}

export interface LiveHandler {
  /** A process said hello with the right token; its events follow. */
  onHello?(connection: LiveConnection): void;
  /** Every event to pass on, validated and in order; a run's last ones are findings and run-finished. */
  onEvent(event: EngineEvent, connection: LiveConnection): void;
  /** Once per accepted connection. */
  onEnd(result: LiveResult, connection: LiveConnection): void;
}

export interface LiveListenerOptions {
  handler: LiveHandler;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Read when a run starts: the thresholds its findings use. */
  settings?: () => LiveSettings;
  /** A reason to refuse a process whose hello is otherwise good (its host is busy), or null. */
  admit?: (hello: LiveHello) => string | null;
  helloTimeoutMs?: number;
  maxLineBytes?: number;
  maxWaiting?: number;
}

type Log = LiveListenerOptions['log'];

/** One accepted connection: the run a training process sends. */
export class LiveConnection {
  private run: LiveRun | null = null;
  private ended = false;
  private invalid = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly hello: LiveHello,
    private readonly socket: Socket,
    private readonly settings: LiveSettings,
    private readonly handler: LiveHandler,
    private readonly log: Log,
    private readonly done: (c: LiveConnection) => void,
  ) {}

  get runId(): string | null {
    return this.run?.runId ?? null;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Stops watching: the socket closes (the taps stop sending) and the run ends with what it had. */
  stop(): void {
    this.end({ kind: 'closed', cancelled: true, exitCode: null }, 'stopped');
  }

  /** One complete line from the process. */
  line(text: string): void {
    if (this.ended) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.refuseEvent(`not JSON: ${text.slice(0, 80)}`);
      return;
    }
    if (isLiveEnded(raw)) {
      const checked = checkLiveEnded(raw);
      if (!checked.ok) return this.refuseEvent(checked.error);
      if (!this.sameRun(checked.value.runId)) return;
      this.end({ kind: 'ended', ended: checked.value }, 'ended');
      return;
    }
    const checked = checkEngineEvent(raw);
    if (!checked.ok) return this.refuseEvent(checked.error);
    if (!this.sameRun(checked.value.runId)) return;
    this.pass(this.run!.accept(checked.value));
    this.scheduleFlush();
  }

  /** The socket ended or failed before live-ended. */
  closed(): void {
    this.end({ kind: 'closed', cancelled: true, exitCode: null }, 'closed');
  }

  /** Ends the connection for breaking the wire's rules; the run keeps what it had. */
  violated(why: string): void {
    if (this.ended) return;
    this.log('warn', `live run from pid ${this.hello.pid}: ${why}; connection closed`);
    this.end({ kind: 'closed', cancelled: true, exitCode: null }, 'protocol');
  }

  private sameRun(runId: string): boolean {
    if (!this.run) {
      this.run = new LiveRun(runId, this.hello, this.settings, this.log);
      return true;
    }
    if (runId === this.run.runId) return true;
    this.violated(`an event of run ${runId} in run ${this.run.runId}`);
    return false;
  }

  private refuseEvent(error: string): void {
    this.invalid++;
    if (this.invalid <= INVALID_LOGGED)
      this.log('warn', `live run from pid ${this.hello.pid}: an invalid event was dropped (${error})`);
  }

  private pass(events: EngineEvent[]): void {
    for (const e of events) this.handler.onEvent(e, this);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.run?.holdsProbe) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      if (!this.ended && this.run) this.pass(this.run.flush());
    }, PROBE_FLUSH_MS);
  }

  private end(how: LiveEnd, reason: LiveEndReason): void {
    if (this.ended) return;
    this.ended = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    // The process half-closes after live-ended; anything else is cut off here.
    if (reason === 'ended') this.socket.end();
    else this.socket.destroy();
    if (this.invalid > INVALID_LOGGED)
      this.log('warn', `live run from pid ${this.hello.pid}: ${this.invalid} invalid events dropped in all`);
    const finish = this.run?.finish(how) ?? { events: [], report: null };
    this.pass(finish.events);
    this.done(this);
    this.handler.onEnd(
      {
        hello: this.hello,
        report: finish.report,
        ended: how.kind === 'ended' ? how.ended : null,
        errors: this.run?.errors ?? [],
        reason,
      },
      this,
    );
  }
}

function isLiveEnded(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'live-ended';
}

const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1']);

export class LiveListener {
  readonly token = newToken();
  private active: LiveConnection | null = null;
  private readonly waiting = new Set<Socket>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly options: LiveListenerOptions,
  ) {}

  /** Listens on 127.0.0.1, on a port the system picks. */
  static async start(options: LiveListenerOptions): Promise<LiveListener> {
    const server = createServer({ allowHalfOpen: true });
    const listener = new LiveListener(server, options);
    server.on('connection', (socket) => listener.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => options.log('warn', `live listener: ${e.message}`));
    return listener;
  }

  /** `127.0.0.1:PORT`, as ACTIVATION_LENS_ADDRESS gives it to the taps. */
  get address(): string {
    const a = this.server.address() as AddressInfo | null;
    return `127.0.0.1:${a?.port ?? 0}`;
  }

  /** The run being watched, if any. */
  get current(): LiveConnection | null {
    return this.active;
  }

  /** The variables a training process needs to reach this listener. */
  environment(): { ACTIVATION_LENS_ADDRESS: string; ACTIVATION_LENS_TOKEN: string } {
    return { ACTIVATION_LENS_ADDRESS: this.address, ACTIVATION_LENS_TOKEN: this.token };
  }

  /** Stops listening; a run in progress ends as stopped. */
  async close(): Promise<void> {
    this.active?.stop();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const log = this.options.log;
    if (!LOOPBACK.has(socket.remoteAddress ?? '')) {
      socket.destroy();
      return;
    }
    if (this.waiting.size >= (this.options.maxWaiting ?? MAX_WAITING_CONNECTIONS)) {
      log('warn', 'live listener: too many connections waiting for their hello; one more was closed');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.waiting.add(socket);
    const splitter = new LineSplitter(this.options.maxLineBytes ?? MAX_LINE_BYTES);
    let connection: LiveConnection | null = null;
    const refuse = (why: string) => {
      log('warn', `live listener: a connection was refused: ${why}`);
      socket.destroy();
    };
    const timer = setTimeout(
      () => refuse(`no hello within ${(this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS) / 1000} s`),
      this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    );
    socket.on('data', (chunk: Buffer) => {
      const split = splitter.push(chunk);
      if (!split.ok) {
        if (connection) connection.violated(split.error);
        else refuse(split.error);
        return;
      }
      for (const line of split.lines) {
        if (socket.destroyed) return;
        if (connection) connection.line(line);
        else connection = this.hello(socket, line, timer, refuse);
      }
    });
    socket.on('end', () => {
      if (connection) connection.closed();
      else socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      this.waiting.delete(socket);
      this.sockets.delete(socket);
      connection?.closed();
    });
  }

  /** The first line: a valid hello with this listener's token, while no other run is watched. */
  private hello(
    socket: Socket,
    line: string,
    timer: ReturnType<typeof setTimeout>,
    refuse: (why: string) => void,
  ): LiveConnection | null {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      refuse('the first line is not JSON');
      return null;
    }
    const checked = checkLiveHello(raw);
    if (!checked.ok) {
      refuse(`the first line is not a hello (${checked.error})`);
      return null;
    }
    const hello = checked.value;
    if (!sameToken(this.token, hello.token)) {
      refuse(`pid ${hello.pid} sent a wrong token`);
      return null;
    }
    if (this.active) {
      refuse(
        `pid ${hello.pid} (${hello.framework ?? 'no framework'}) said hello while the run of pid ${this.active.hello.pid} is being watched; one live run at a time`,
      );
      return null;
    }
    const busy = this.options.admit?.(hello) ?? null;
    if (busy) {
      refuse(`pid ${hello.pid}: ${busy}`);
      return null;
    }
    clearTimeout(timer);
    this.waiting.delete(socket);
    const settings = this.options.settings?.() ?? defaultLiveSettings();
    const connection = new LiveConnection(
      hello,
      socket,
      settings,
      this.options.handler,
      this.options.log,
      (c) => {
        if (this.active === c) this.active = null;
      },
    );
    this.active = connection;
    this.options.log(
      'info',
      `live run connected: pid ${hello.pid}, ${hello.framework ?? 'no framework'} ${hello.frameworkVersion} on ${hello.device}${hello.worldSize > 1 ? `, ${hello.worldSize} ranks` : ''}`,
    );
    this.options.handler.onHello?.(connection);
    return connection;
  }
}
