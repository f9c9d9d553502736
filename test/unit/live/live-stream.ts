/**
 * A live run's lines as python/activation_lens sends them (hello, run-started, probes, progress,
 * live-ended), built here so the listener tests control every byte, and a raw socket client that
 * writes them — or anything else.
 */
import { connect, type Socket } from 'node:net';
import type { LayerProbe, LayerSummary, LiveHello, RunStartedEvent } from '../../../src/protocol';
import { DEFINITIONS } from '../../../src/protocol';
import { probe } from '../extension/fixtures';

export const SCRIPT = '/work/project/train.py';
export const RUN_ID = 'live-4242-0a1b2c3d';

export function hello(token: string, extra: Partial<LiveHello> = {}): LiveHello {
  return {
    v: 1,
    type: 'hello',
    token,
    pid: 4242,
    framework: 'torch',
    frameworkVersion: '2.13.0+cpu',
    device: 'cpu',
    worldSize: 1,
    command: ['/usr/bin/python3', 'train.py'],
    ...extra,
  };
}

export function summary(name: string, line: number, activation = 'relu', units = 8): LayerSummary {
  return {
    name,
    className: 'ReLU',
    activation,
    outputShape: [null, units],
    units,
    params: 0,
    tapped: true,
    source: { file: SCRIPT, line, column: 21 },
  };
}

export function runStarted(layers: LayerSummary[], runId = RUN_ID): RunStartedEvent {
  return {
    v: 1,
    runId,
    type: 'run-started',
    backend: 'torch',
    backendDetail: 'PyTorch 2.13.0+cpu on cpu',
    origin: 'live',
    live: {
      framework: 'torch',
      frameworkVersion: '2.13.0+cpu',
      device: 'cpu',
      command: ['/usr/bin/python3', 'train.py'],
      exitCode: null,
      worldSize: 1,
    },
    model: { name: 'Net', origin: 'live-torch', file: SCRIPT, layers },
    probeSize: 256,
    totalSteps: 0,
    definitions: DEFINITIONS,
  };
}

export function probeLine(step: number, layers: LayerProbe[], runId = RUN_ID) {
  return { v: 1, runId, type: 'probe', step, layers };
}

export function layerProbe(name: string, step: number, dead: number, units = 8, mean = 0.3): LayerProbe {
  return probe(name, step, dead, units, mean);
}

export function progress(step: number, loss: number, runId = RUN_ID) {
  return { v: 1, runId, type: 'progress', step, totalSteps: 0, loss, accuracy: null, samplesPerSecond: 1000 };
}

export function liveEnded(steps: number, exitCode: number | null = 0, runId = RUN_ID) {
  return {
    v: 1,
    type: 'live-ended',
    runId,
    exitCode,
    training: {
      steps,
      loss: Array.from({ length: steps }, (_, i) => 1 / (i + 1)),
      accuracy: [],
      valLoss: [],
      valAccuracy: [],
      valSteps: [],
      samplesPerSecond: 1000,
      wallSeconds: 2,
      probeSeconds: 0.05,
    },
  };
}

/** A socket to the listener that writes what it is told and records when it was closed. */
export class RawClient {
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static open(address: string): Promise<RawClient> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host!, port: Number(port) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes objects as JSON lines (or raw strings/buffers as they are). */
  send(...items: unknown[]): void {
    for (const item of items)
      this.socket.write(
        typeof item === 'string' || Buffer.isBuffer(item) ? item : `${JSON.stringify(item)}\n`,
      );
  }

  end(): void {
    this.socket.end();
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
