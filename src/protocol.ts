/**
 * The one event/command vocabulary shared by engine, extension host and webview.
 * Discriminated unions on `type`; every message carries the protocol version.
 * This module is pure data and validation: it imports nothing, so the webview can use it too.
 */

export const PROTOCOL_VERSION = 1;
export const REPORT_SCHEMA = 'activation-lens/report@1';

export interface SourceRef {
  file: string;
  line: number;
  column: number;
}

export interface UnitSet {
  count: number;
  fraction: number;
  /** Sorted unit (Dense) or channel (conv) indices. */
  units: number[];
}

export interface Histogram {
  /** bins + 1 edges, fixed per layer from the first probe so later steps stay comparable. */
  edges: number[];
  counts: number[];
  /** Values below the first edge / above the last edge (not in counts). */
  underflow: number;
  overflow: number;
}

/** Per-layer statistics from one probe step; computed on the device, only these leave it. */
export interface LayerProbe {
  layer: string;
  step: number;
  /** Units (Dense) or channels (conv). */
  units: number;
  /** Probe samples × spatial positions per unit. */
  observationsPerUnit: number;
  /** Per unit: how many of observationsPerUnit were > 0. */
  fireCount: number[];
  dead: UnitSet;
  dormant: UnitSet;
  /** ELU / leaky-ReLU family: units whose every output is within 1% of −α. */
  saturated: UnitSet | null;
  /** Share of output elements exactly ≤ 0 (ReLU) — never called "dead". */
  sparsity: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  meanAbs: number;
  histogram: Histogram;
  nonFinite: number;
}

/**
 * A part of the person's model that the reader did not understand and left out of the model that
 * was built. A non-empty list makes the analysis *partial*: reports, the CLI and the UI say so.
 */
export interface OmittedPart {
  /** What was left out, in the person's words where possible (`MyBlock(64)`, `Lambda`). */
  what: string;
  /** Why it could not be built. */
  reason: string;
  source: SourceRef | null;
}

/** The model a run analysed, as the run-started event and the report describe it. */
export interface ModelSummary {
  name: string;
  /** How the model reached the engine: keras-py, torch-py, tfjs-ts, tfjs-json, keras-h5, keras-v3, example, live-torch, live-keras. */
  origin: string;
  file: string | null;
  layers: LayerSummary[];
  /** Left out of the built model (empty = the whole model as written). */
  omitted?: OmittedPart[];
  /** Other models defined in the same file (choose one with --model NAME / the quick pick). */
  alternatives?: { name: string; source: SourceRef | null }[];
}

/** Where a live run came from (origin "live"): the person's own training process. */
export interface LiveRunInfo {
  framework: 'torch' | 'keras';
  frameworkVersion: string;
  /** The device the run's tensors live on, as the framework names it (cpu, cuda:0, mps …). */
  device: string;
  /** The command that was run, when the taps started it. */
  command: string[] | null;
  /** The training script's exit code, when it has exited. */
  exitCode: number | null;
  /** World size under torch.distributed / a tf.distribute strategy (1 when not distributed). */
  worldSize: number;
}

export interface LayerSummary {
  name: string;
  className: string;
  activation: string | null;
  outputShape: (number | null)[];
  units: number | null;
  params: number;
  tapped: boolean;
  source: SourceRef | null;
}

export type Severity = 'error' | 'warning' | 'info';

export type FindingKind =
  | 'dead-units'
  | 'dying'
  | 'never-fires'
  | 'dormant'
  | 'mean-drift'
  | 'non-finite'
  | 'saturation'
  | 'overfitting'
  | 'divergence'
  | 'source';

export interface Suggestion {
  kind: 'switch-to-elu';
  layer: string;
  alpha: number;
  heInit: boolean;
  earlyStopping: boolean;
  rationale: string;
}

export interface Finding {
  kind: FindingKind;
  layer: string | null;
  severity: Severity;
  message: string;
  evidence: Record<string, number | string | number[]>;
  source: SourceRef | null;
  suggestion?: Suggestion;
}

export interface TrainingSummary {
  steps: number;
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** Step index of each valLoss/valAccuracy entry. */
  valSteps: number[];
  samplesPerSecond: number;
  wallSeconds: number;
  probeSeconds: number;
}

export interface LayerReport {
  name: string;
  className: string;
  activation: string | null;
  units: number;
  source: SourceRef | null;
  dead: UnitSet;
  dormant: UnitSet;
  saturated: UnitSet | null;
  sparsity: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  meanDrift: { step: number; mean: number }[];
  deadFraction: { step: number; fraction: number }[];
  histogram: Histogram;
  nonFinite: number;
  neverFires: number[] | null;
}

export interface WhatIfArm {
  name: string;
  layers: string[];
  training: TrainingSummary;
  final: { layer: string; dead: number; dormant: number; saturated: number; mean: number; meanAbs: number }[];
  msPerStep: number;
}

export interface WhatIfReport {
  arms: WhatIfArm[];
  verdict: { helps: boolean | null; summary: string; details: string[]; earlyStopping: boolean };
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  createdAt: string;
  backend: string;
  backendDetail: string;
  /** engine: the TF.js engine re-created and trained the model; live: taps on the person's own run. */
  origin?: 'engine' | 'live';
  live?: LiveRunInfo;
  model: ModelSummary;
  data: { name: string; train: number; probe: number; validation: number };
  config: RunConfig;
  layers: LayerReport[];
  findings: Finding[];
  training: TrainingSummary;
  whatIf?: WhatIfReport;
  cancelled: boolean;
}

export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface RunConfig {
  file: string | null;
  example: string | null;
  data: string;
  steps: number | null;
  epochs: number | null;
  batch: number | null;
  probe: number;
  every: number | null;
  overheadBudget: number;
  backend: BackendName;
  seed: number;
  learningRate: number | null;
  deadThreshold: number;
  dormantTau: number;
  whatIf: 'elu' | null;
  whatIfLayers: string[] | null;
  eluAlpha: number;
  /** Evaluate on the validation split during training (default true). */
  validate?: boolean;
  /** Which model of a file that defines several (`--model NAME`); null = the reader's choice. */
  model?: string | null;
  /** The model's input shape without the batch axis (`--input-shape 28,28,1`), where the file does not say. */
  inputShape?: number[] | null;
}

// ---- engine → host events ----

export interface EventBase {
  v: typeof PROTOCOL_VERSION;
  runId: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run-started';
  backend: string;
  backendDetail: string;
  origin?: 'engine' | 'live';
  live?: LiveRunInfo;
  model: ModelSummary;
  probeSize: number;
  totalSteps: number;
  definitions: Record<string, string>;
}
export interface ProgressEvent extends EventBase {
  type: 'progress';
  arm?: string;
  step: number;
  totalSteps: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}
export interface ProbeEvent extends EventBase {
  type: 'probe';
  arm?: string;
  step: number;
  layers: LayerProbe[];
}
export interface ValidationEvent extends EventBase {
  type: 'validation';
  arm?: string;
  step: number;
  valLoss: number;
  valAccuracy: number;
}
export interface FindingsEvent extends EventBase {
  type: 'findings';
  findings: Finding[];
}
export interface RunFinishedEvent extends EventBase {
  type: 'run-finished';
  report: Report;
}
export interface ErrorEvent extends EventBase {
  type: 'error';
  message: string;
  file: string | null;
  line: number | null;
  detail?: string;
}
export interface LogEvent extends EventBase {
  type: 'log';
  level: 'info' | 'warn' | 'debug';
  message: string;
}

export type EngineEvent =
  | RunStartedEvent
  | ProgressEvent
  | ProbeEvent
  | ValidationEvent
  | FindingsEvent
  | RunFinishedEvent
  | ErrorEvent
  | LogEvent;

// ---- host → engine commands ----

export interface StartCommand {
  v: typeof PROTOCOL_VERSION;
  type: 'start';
  runId: string;
  config: RunConfig;
}
export interface CancelCommand {
  v: typeof PROTOCOL_VERSION;
  type: 'cancel';
  runId: string;
}
export type EngineCommand = StartCommand | CancelCommand;

// ---- webview ↔ host ----

export type WebviewRequest =
  | { v: typeof PROTOCOL_VERSION; type: 'ready' }
  | { v: typeof PROTOCOL_VERSION; type: 'apply-fix'; layer: string }
  | { v: typeof PROTOCOL_VERSION; type: 'run-what-if'; layers: string[] }
  | { v: typeof PROTOCOL_VERSION; type: 'go-to-layer'; layer: string }
  | { v: typeof PROTOCOL_VERSION; type: 'analyze' }
  | { v: typeof PROTOCOL_VERSION; type: 'stop' };

export interface DashboardState {
  runId: string | null;
  status: 'idle' | 'running' | 'finished' | 'cancelled' | 'failed';
  started: RunStartedEvent | null;
  progress: ProgressEvent[];
  probes: ProbeEvent[];
  validation: ValidationEvent[];
  findings: Finding[];
  report: Report | null;
  error: string | null;
}

export type HostMessage =
  | { v: typeof PROTOCOL_VERSION; type: 'state'; state: DashboardState }
  | { v: typeof PROTOCOL_VERSION; type: 'event'; event: EngineEvent };

// ---- validation of untrusted messages ----

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const isLayerName = (x: unknown): x is string =>
  typeof x === 'string' && x.length > 0 && x.length <= 200 && /^[\w./:-]+$/.test(x);

/** Validates a message from the webview; returns null for anything malformed. */
export function parseWebviewRequest(raw: unknown): WebviewRequest | null {
  if (!isObject(raw) || raw.v !== PROTOCOL_VERSION || typeof raw.type !== 'string') return null;
  switch (raw.type) {
    case 'ready':
    case 'analyze':
    case 'stop':
      return { v: PROTOCOL_VERSION, type: raw.type };
    case 'apply-fix':
    case 'go-to-layer':
      return isLayerName(raw.layer) ? { v: PROTOCOL_VERSION, type: raw.type, layer: raw.layer } : null;
    case 'run-what-if':
      return Array.isArray(raw.layers) && raw.layers.length <= 100 && raw.layers.every(isLayerName)
        ? { v: PROTOCOL_VERSION, type: 'run-what-if', layers: raw.layers as string[] }
        : null;
    default:
      return null;
  }
}

const EVENT_TYPES = new Set<EngineEvent['type']>([
  'run-started',
  'progress',
  'probe',
  'validation',
  'findings',
  'run-finished',
  'error',
  'log',
]);

/** Validates the envelope of an engine event (the engine is ours, but it is another process). */
export function parseEngineEvent(raw: unknown): EngineEvent | null {
  if (!isObject(raw) || raw.v !== PROTOCOL_VERSION) return null;
  if (typeof raw.type !== 'string' || !EVENT_TYPES.has(raw.type as EngineEvent['type'])) return null;
  if (typeof raw.runId !== 'string') return null;
  return raw as unknown as EngineEvent;
}

/** Validates a command sent to the engine process. */
export function parseEngineCommand(raw: unknown): EngineCommand | null {
  if (!isObject(raw) || raw.v !== PROTOCOL_VERSION || typeof raw.runId !== 'string') return null;
  if (raw.type === 'cancel') return { v: PROTOCOL_VERSION, type: 'cancel', runId: raw.runId };
  if (raw.type === 'start' && isObject(raw.config)) {
    return {
      v: PROTOCOL_VERSION,
      type: 'start',
      runId: raw.runId,
      config: raw.config as unknown as RunConfig,
    };
  }
  return null;
}

/** The definitions the UI states, exactly (docs/architecture.md "Definitions"). */
export const DEFINITIONS: Record<string, string> = {
  probeSet: 'A fixed batch of N held-out samples, the same at every probe step.',
  dead: 'A Dense unit or conv channel whose post-activation output is ≤ 0 for every sample and every spatial position of the probe set ("fired 0 of N"). ReLU only.',
  saturated: 'ELU / LeakyReLU: a unit whose output is within 1% of −α for every probe observation.',
  dormant:
    "A unit whose mean |activation| is below τ × the layer's mean |activation| (τ = 0.025 default, Sokar et al. 2023).",
  sparsity: 'The share of output elements that are ≤ 0. Sparsity is not death.',
  meanDrift: "The layer's mean post-activation value on the probe set, tracked from step 0.",
  neverFires:
    'A unit whose largest possible pre-activation over the input range is ≤ 0 (static, before any data).',
};
