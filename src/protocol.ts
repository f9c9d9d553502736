/**
 * The one vocabulary of everything that crosses a boundary: engine → host events, host → engine
 * commands, webview → host requests, host → webview messages, and the report they carry.
 * Discriminated unions on `type`; every message carries the protocol version, stamped by the
 * builders below (never by hand). All four directions are parsed here, deeply: events may come from
 * another process — the engine, or a person's own Python run through the live taps — so a message's
 * shape, sizes and numbers are checked before anything reads it.
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
  /**
   * bins + 1 edges lo + i·w; a layer's range only doubles from probe to probe (src/histogram.ts),
   * so an earlier histogram re-bins exactly onto later edges. Every finite value is inside.
   */
  edges: number[];
  counts: number[];
  /** −∞ / +∞ values (not in counts; NaN is only in LayerProbe.nonFinite). */
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
  /**
   * Only inside a dashboard state: an older probe kept for display without its per-unit lists
   * (fireCount and every unit-index list are empty; the counts stay). Engines never send it.
   */
  compacted?: true;
  dead: UnitSet;
  dormant: UnitSet;
  /** ELU / leaky-ReLU family: units whose every output is within 1% of −α. */
  saturated: UnitSet | null;
  /** Share of output elements exactly ≤ 0 (ReLU) — never called "dead". */
  sparsity: number;
  /** Moments over the finite outputs: NaN when the layer has none (null on a JSON wire). */
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
  /** Per step; NaN or ±Infinity where training diverged (null on a JSON wire). */
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

/** The last probe's statistics of one layer, with its history and where it is defined. */
export interface LayerReport extends Pick<
  LayerProbe,
  | 'units'
  | 'dead'
  | 'dormant'
  | 'saturated'
  | 'sparsity'
  | 'mean'
  | 'std'
  | 'min'
  | 'max'
  | 'histogram'
  | 'nonFinite'
> {
  name: string;
  className: string;
  activation: string | null;
  source: SourceRef | null;
  meanDrift: { step: number; mean: number }[];
  deadFraction: { step: number; fraction: number }[];
  neverFires: number[] | null;
}

/** One layer of one what-if arm at its last probe. */
export interface WhatIfLayerFinal {
  layer: string;
  /** Dead units at the last probe (ReLU family only; 0 for ELU, which cannot die). */
  dead: number;
  dormant: number;
  /** Saturated units at the last probe (ELU / leaky family; 0 for ReLU). */
  saturated: number;
  mean: number;
  meanAbs: number;
  /** Units (Dense) or channels (conv). */
  units: number;
  activation: string;
  /** The layer's mean activation at step 0, for the drift. */
  mean0: number;
  /** Whether this arm changed the layer. */
  switched: boolean;
}

export interface WhatIfArm {
  name: string;
  /** The layers this arm switched (empty for the baseline). */
  layers: string[];
  training: TrainingSummary;
  final: WhatIfLayerFinal[];
  /** Median step time; NaN when the arm took no step. */
  msPerStep: number;
  /** Per probe step, per layer mean activation (drift over time, for charts). */
  meanDrift: { layer: string; steps: number[]; mean: number[] }[];
}

export interface WhatIfVerdict {
  /** true: better beyond noise; false: worse, or no benefit; null: the run cannot tell. */
  helps: boolean | null;
  summary: string;
  details: string[];
  earlyStopping: boolean;
}

export interface WhatIfReport {
  arms: WhatIfArm[];
  verdict: WhatIfVerdict;
  alpha: number;
  /** Layers whose kernel the ELU arm He-initialised (he_normal). */
  heInit: string[];
  /** What both arms share at step 0, as `layer/weight` names. */
  sharedWeights: { copied: number; ownInit: string[]; unmatched: string[] };
  /** ELU arm's median ms/step over the baseline's (NaN when either took no step). */
  stepTimeRatio: number;
  notes: string[];
  cancelled: boolean;
}

/** The loss one output trained with, and who chose it (the engine says why when it chose). */
export interface OutputLoss {
  /** The output layer. */
  output: string;
  /** Keras name: categorical_crossentropy, binary_crossentropy, nll, mean_squared_error, mean_absolute_error, huber. */
  loss: string;
  fromLogits: boolean;
  /** file: named by the file (compile, a criterion); engine: picked to fit the head. */
  chosenBy: 'file' | 'engine';
  /** Why the engine chose it, in one sentence; null when the file named it. */
  note: string | null;
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
  /** Each output's loss (engine runs; absent in live reports, where the person's script trains). */
  losses?: OutputLoss[];
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

/** A probe event as a dashboard state keeps it: older ones may be compacted. */
const stateProbeEvent: Check<ProbeEvent> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  const type = f.get('type', oneOf(EVENT_TYPES));
  if (type !== 'probe') fail(`expected a probe event, got ${type}`);
  const runId = f.get('runId', runIdOf);
  const step = f.get('step', int(0));
  return {
    v,
    runId,
    type: 'probe',
    ...f.optional('arm', armName),
    step,
    layers: f.get('layers', probeLayers(step, true)),
  };
};

// ---- a live run's own lines (the wire of docs/architecture.md "Live taps") ----

/**
 * The first line a training process sends a live listener: who speaks, with the listener's token.
 * `framework` is null only for a script that never imported torch or keras (an error follows).
 */
export interface LiveHello {
  v: typeof PROTOCOL_VERSION;
  type: 'hello';
  token: string;
  pid: number;
  framework: LiveRunInfo['framework'] | null;
  frameworkVersion: string;
  device: string;
  worldSize: number;
  command: string[] | null;
}

/** The last line of a live run: the script's exit code (null for watch() / a callback) and its training. */
export interface LiveEnded {
  v: typeof PROTOCOL_VERSION;
  type: 'live-ended';
  runId: string;
  exitCode: number | null;
  training: TrainingSummary;
}

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
  /** A line of the run's own model file (an omitted part): the host opens only that file. */
  | { v: typeof PROTOCOL_VERSION; type: 'go-to-line'; line: number; column: number }
  | { v: typeof PROTOCOL_VERSION; type: 'analyze' }
  | { v: typeof PROTOCOL_VERSION; type: 'stop' }
  /** The sidebar's summary: open the whole dashboard in an editor tab, at `layer` when given. */
  | { v: typeof PROTOCOL_VERSION; type: 'open-in-editor'; layer: string | null }
  /** Draw the previous saved run of the shown model as ghost lines. */
  | { v: typeof PROTOCOL_VERSION; type: 'compare-previous' }
  | { v: typeof PROTOCOL_VERSION; type: 'clear-comparison' };

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

/**
 * Another run drawn behind the shown one as ghost lines (before / after the ELU fix): only the
 * series the trend charts need, taken from that run's report.
 */
export interface RunComparison {
  /** How the dashboard names it: "previous run · 12 Mar 14:02". */
  label: string;
  training: TrainingSummary;
  layers: Pick<LayerReport, 'name' | 'deadFraction' | 'meanDrift'>[];
}

/** Which run the dashboard shows: the live one (saved null) or a saved run, and what it is compared with. */
export interface RunView {
  /** The saved run's label, or null while the dashboard follows the current run. */
  saved: string | null;
  comparison: RunComparison | null;
}

export type HostMessage =
  | { v: typeof PROTOCOL_VERSION; type: 'state'; state: DashboardState }
  | { v: typeof PROTOCOL_VERSION; type: 'event'; event: EngineEvent }
  | { v: typeof PROTOCOL_VERSION; type: 'run-view'; view: RunView }
  /** Lenses and Problems entries: open this layer's detail (Dashboard.focusLayer). */
  | { v: typeof PROTOCOL_VERSION; type: 'focus-layer'; layer: string };

// ---- saved runs (the Runs view keeps each finished run in the workspace's storage) ----

export const SAVED_RUN_SCHEMA = 'activation-lens/saved-run@1';

/**
 * One saved run: its report, and the probe history the dashboard draws (thinned, older probes
 * without their per-unit lists: src/saved-run.ts). The report alone holds the per-layer series
 * but not the histograms over time, which the heatmaps and the overview need.
 */
export interface SavedRun {
  schema: typeof SAVED_RUN_SCHEMA;
  /** File-name safe: letters, digits, `.`, `_`, `-`. */
  id: string;
  /** The run's own id while it ran (the dashboard state's runId). */
  runId: string;
  savedAt: string;
  report: Report;
  probes: ProbeEvent[];
}

/** What the Runs view lists, kept beside each saved run so the list never reads the whole files. */
export interface SavedRunSummary {
  id: string;
  runId: string;
  savedAt: string;
  model: string;
  file: string | null;
  origin: 'engine' | 'live';
  backend: string;
  whatIf: boolean;
  steps: number;
  cancelled: boolean;
  /** "dense 41% dead", from the report (src/saved-run.ts). */
  headline: string;
  /** Size of the saved run on disk. */
  bytes: number;
}

/** The definitions the UI states, exactly (docs/architecture.md "Definitions"). */
export const DEFINITIONS: Record<string, string> = {
  probeSet: 'A fixed batch of N held-out samples, the same at every probe step.',
  dead: 'A Dense unit or conv channel whose post-activation output is ≤ 0 for every sample and every spatial position of the probe set ("fired 0 of N"). ReLU, ReLU6 and thresholded ReLU only; a unit with any NaN or ±∞ output is not counted.',
  saturated:
    'ELU, CELU and SELU: a unit whose output is within 1% of the floor (−α; −λα for SELU) for every probe observation.',
  dormant:
    "A unit whose mean |activation| is below τ × the layer's mean |activation| (τ = 0.025 default, Sokar et al. 2023).",
  sparsity: 'The share of output elements that are ≤ 0. Sparsity is not death.',
  meanDrift: "The layer's mean post-activation value on the probe set, tracked from step 0.",
  neverFires:
    'A unit whose largest possible pre-activation over the input range is ≤ 0 (static, before any data).',
};

// ---- building messages: the version and the run id are stamped here, never by hand ----

/** An engine event without its envelope (`v`, `runId`): what the engine's code writes. */
export type EventBody = WithoutEnvelope<EngineEvent>;
type WithoutEnvelope<T> = T extends unknown ? Omit<T, 'v' | 'runId'> : never;

/** Sends one event of the current run. */
export type Emit = (event: EventBody) => void;

/** An Emit that stamps every event with the protocol version and `runId`, then hands it to `send`. */
export function createEmitter(runId: string, send: (event: EngineEvent) => void): Emit {
  return (body) => send({ v: PROTOCOL_VERSION, runId, ...body } as EngineEvent);
}

export function startCommand(runId: string, config: RunConfig): StartCommand {
  return { v: PROTOCOL_VERSION, type: 'start', runId, config };
}

export function cancelCommand(runId: string): CancelCommand {
  return { v: PROTOCOL_VERSION, type: 'cancel', runId };
}

type Unversioned<T> = T extends unknown ? Omit<T, 'v'> : never;

export function webviewRequest(request: Unversioned<WebviewRequest>): WebviewRequest {
  return { v: PROTOCOL_VERSION, ...request } as WebviewRequest;
}

export function hostMessage(message: Unversioned<HostMessage>): HostMessage {
  return { v: PROTOCOL_VERSION, ...message } as HostMessage;
}

// ---- parsing: every message that crosses a boundary, checked field by field ----
//
// A parser returns a fresh object holding only the fields the protocol names (extra fields are
// dropped), read as own properties only (an inherited or polluted prototype never counts). JSON
// carries NaN and ±Infinity as null: where the protocol allows a non-finite statistic, null reads
// back as NaN; everywhere else numbers must be finite. Sizes are bounded so a hostile message can
// neither exhaust memory downstream nor smuggle inconsistent arrays into the charts.

/** The bounds a message must keep; beyond them it is refused, never truncated. */
export const WIRE_LIMITS = {
  /** Layer names, arm names, model names, backend names. */
  name: 200,
  path: 4096,
  /** Finding messages, notes, verdicts. */
  text: 10_000,
  /** Error and log messages, error details (a stack). */
  longText: 100_000,
  /** Layers per probe or per model. */
  layers: 4096,
  /** Units (Dense) or channels (conv) of one layer. */
  units: 262_144,
  /** Units summed over the layers of one probe. */
  probeUnits: 4_194_304,
  /** Histogram bins (edges − 1). */
  bins: 4096,
  /** Entries of one per-step series (loss, accuracy, drift). */
  series: 4_194_304,
  findings: 10_000,
  evidenceKeys: 64,
  /** Short lists: notes, verdict details, what-if layers, command lines, omitted parts. */
  list: 4096,
  shapeDims: 16,
  arms: 16,
  /** Events of one kind kept in a dashboard state. */
  stateEvents: 100_000,
} as const;

const L = WIRE_LIMITS;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Why a message was refused: `at` is the path inside it (`.layers[3].fireCount`). */
class Malformed extends Error {
  constructor(
    readonly at: string,
    readonly what: string,
  ) {
    super(`${at}: ${what}`);
  }
}

function fail(what: string): never {
  throw new Malformed('', what);
}

/** A refusal about a field below the value being checked (`at` like `.edges[3]`). */
function failAt(at: string, what: string): never {
  throw new Malformed(at, what);
}

/** Prefixes the path of a refusal raised below `prefix`. */
function within(prefix: string, e: unknown): unknown {
  return e instanceof Malformed ? new Malformed(prefix + e.at, e.what) : e;
}

type Check<T> = (x: unknown) => T;

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads the own fields of one object; a refused field names itself in the error. */
class Fields {
  private readonly o: Record<string, unknown>;

  constructor(x: unknown) {
    if (!isObject(x)) fail('expected an object');
    this.o = x;
  }

  get<T>(key: string, check: Check<T>): T {
    try {
      return check(hasOwn(this.o, key) ? this.o[key] : undefined);
    } catch (e) {
      throw within(`.${key}`, e);
    }
  }

  /** An optional field: absent or undefined stays absent in what the parser returns. */
  optional<K extends string, T>(key: K, check: Check<T>): { [P in K]?: T } {
    if (!hasOwn(this.o, key) || this.o[key] === undefined) return {};
    return { [key]: this.get(key, check) } as { [P in K]?: T };
  }
}

const text =
  (max: number): Check<string> =>
  (x) => {
    if (typeof x !== 'string') fail('expected a string');
    if (x.length > max) fail(`${x.length} characters, at most ${max}`);
    return x;
  };

export const isLayerName = (x: unknown): x is string =>
  typeof x === 'string' && x.length > 0 && x.length <= L.name && /^[\w./:-]+$/.test(x);

const layerName: Check<string> = (x) => {
  if (!isLayerName(x)) fail(`expected a layer name (1–${L.name} of letters, digits, _ . / : -)`);
  return x;
};

const runIdOf: Check<string> = (x) => {
  if (typeof x !== 'string' || !/^[\w.:-]{1,200}$/.test(x))
    fail('expected a run id (1–200 of letters, digits, _ . : -)');
  return x;
};

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (x) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)
      fail(`expected an integer in [${min}, ${max}], got ${describe(x)}`);
    return x;
  };

const finite =
  (min = -Number.MAX_VALUE, max = Number.MAX_VALUE): Check<number> =>
  (x) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max)
      fail(`expected a finite number in [${min}, ${max}], got ${describe(x)}`);
    return x;
  };

/** A statistic the protocol allows to be NaN or ±Infinity (a diverged loss, a layer with no finite output). */
const statistic: Check<number> = (x) => {
  if (x === null) return NaN;
  if (typeof x !== 'number') fail(`expected a number or null, got ${describe(x)}`);
  return x;
};

/** A share in [0, 1], or NaN where there is nothing to share (an accuracy before any sample). */
const shareOrNaN: Check<number> = (x) => {
  const v = statistic(x);
  if (!Number.isNaN(v) && !(v >= 0 && v <= 1)) fail(`expected a share in [0, 1], got ${v}`);
  return v;
};

const bool: Check<boolean> = (x) => {
  if (typeof x !== 'boolean') fail('expected true or false');
  return x;
};

const oneOf =
  <T extends string | number>(values: readonly T[]): Check<T> =>
  (x) => {
    if (!values.includes(x as T)) fail(`expected one of ${values.join(', ')}, got ${describe(x)}`);
    return x as T;
  };

const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (x) =>
    x === null ? null : check(x);

const array =
  <T>(item: Check<T>, max: number): Check<T[]> =>
  (x) => {
    if (!Array.isArray(x)) fail('expected an array');
    if (x.length > max) fail(`${x.length} items, at most ${max}`);
    const out = new Array<T>(x.length);
    let i = 0;
    try {
      for (; i < x.length; i++) out[i] = item(x[i]);
    } catch (e) {
      throw within(`[${i}]`, e);
    }
    return out;
  };

/** Keys that could reach an object's prototype if anything downstream copies by assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A string-keyed record: keys are short identifiers, never a prototype key. */
const record =
  <T>(value: Check<T>, maxKeys: number): Check<Record<string, T>> =>
  (x) => {
    if (!isObject(x)) fail('expected an object');
    const keys = Object.keys(x);
    if (keys.length > maxKeys) fail(`${keys.length} keys, at most ${maxKeys}`);
    const out: Record<string, T> = {};
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key) || !/^[A-Za-z_][\w-]{0,63}$/.test(key))
        fail(`key ${describe(key)} refused`);
      try {
        out[key] = value(x[key]);
      } catch (e) {
        throw within(`.${key}`, e);
      }
    }
    return out;
  };

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  return Array.isArray(x) ? 'an array' : `a ${typeof x}`;
}

// ---- the shapes ----

const sourceRef: Check<SourceRef> = (x) => {
  const f = new Fields(x);
  return { file: f.get('file', text(L.path)), line: f.get('line', int(0)), column: f.get('column', int(0)) };
};

/** Unit indices of a layer with `units` units: sorted, distinct, in range. */
const unitIndices =
  (units: number): Check<number[]> =>
  (x) => {
    const list = array(int(0, units - 1), units)(x);
    for (let i = 1; i < list.length; i++)
      if (list[i]! <= list[i - 1]!) failAt(`[${i}]`, 'not sorted and distinct');
    return list;
  };

const unitSet =
  (units: number, compacted = false): Check<UnitSet> =>
  (x) => {
    const f = new Fields(x);
    const count = f.get('count', int(0, units));
    const fraction = f.get('fraction', finite(0, 1));
    const list = f.get('units', unitIndices(units));
    if (compacted ? list.length !== 0 : list.length !== count)
      failAt('.units', `${list.length} indices but .count is ${count}${compacted ? ' (compacted)' : ''}`);
    if (Math.abs(fraction - count / units) > 1e-6)
      failAt('.fraction', `${fraction} is not count / units (${count} / ${units})`);
    return { count, fraction, units: list };
  };

const histogram: Check<Histogram> = (x) => {
  const f = new Fields(x);
  const edges = f.get('edges', array(finite(), L.bins + 1));
  if (edges.length < 2) failAt('.edges', 'fewer than 2 edges');
  for (let i = 1; i < edges.length; i++)
    if (!(edges[i]! > edges[i - 1]!)) failAt(`.edges[${i}]`, 'not increasing');
  const counts = f.get('counts', array(int(0), L.bins));
  if (counts.length !== edges.length - 1)
    failAt('.counts', `${counts.length} bins for ${edges.length} edges (expected edges − 1)`);
  return { edges, counts, underflow: f.get('underflow', int(0)), overflow: f.get('overflow', int(0)) };
};

/** The statistics of a layer of `units` units that a LayerReport shares with its last LayerProbe. */
function layerStatistics(
  f: Fields,
  units: number,
  compacted = false,
): Pick<
  LayerProbe,
  'dead' | 'dormant' | 'saturated' | 'sparsity' | 'mean' | 'std' | 'min' | 'max' | 'histogram'
> {
  return {
    dead: f.get('dead', unitSet(units, compacted)),
    dormant: f.get('dormant', unitSet(units, compacted)),
    saturated: f.get('saturated', nullable(unitSet(units, compacted))),
    sparsity: f.get('sparsity', finite(0, 1)),
    mean: f.get('mean', statistic),
    std: f.get('std', statistic),
    min: f.get('min', statistic),
    max: f.get('max', statistic),
    histogram: f.get('histogram', histogram),
  };
}

/** `allowCompacted`: a dashboard state may hold compacted older probes; engine events never. */
const layerProbeOf =
  (allowCompacted: boolean): Check<LayerProbe> =>
  (x) => {
    const f = new Fields(x);
    const compacted = allowCompacted && f.optional('compacted', bool).compacted === true;
    const units = f.get('units', int(1, L.units));
    const observationsPerUnit = f.get('observationsPerUnit', int(1));
    const fireCount = f.get('fireCount', array(int(0, observationsPerUnit), L.units));
    if (fireCount.length !== (compacted ? 0 : units))
      failAt('.fireCount', `${fireCount.length} counts for ${units} units${compacted ? ' (compacted)' : ''}`);
    return {
      layer: f.get('layer', layerName),
      step: f.get('step', int(0)),
      units,
      observationsPerUnit,
      fireCount,
      ...(compacted ? { compacted: true as const } : {}),
      ...layerStatistics(f, units, compacted),
      meanAbs: f.get('meanAbs', statistic),
      nonFinite: f.get('nonFinite', int(0, units * observationsPerUnit)),
    };
  };

/** The layers of one probe: distinct names, every one probed at the event's step, bounded in total. */
const probeLayers =
  (step: number, allowCompacted = false): Check<LayerProbe[]> =>
  (x) => {
    const layers = array(layerProbeOf(allowCompacted), L.layers)(x);
    const names = new Set<string>();
    let total = 0;
    layers.forEach((l, i) => {
      if (names.has(l.layer)) failAt(`[${i}].layer`, `${l.layer} appears twice`);
      names.add(l.layer);
      if (l.step !== step) failAt(`[${i}].step`, `${l.step} in a probe of step ${step}`);
      total += l.units;
    });
    if (total > L.probeUnits) fail(`${total} units in one probe, at most ${L.probeUnits}`);
    return layers;
  };

const omittedPart: Check<OmittedPart> = (x) => {
  const f = new Fields(x);
  return {
    what: f.get('what', text(L.text)),
    reason: f.get('reason', text(L.text)),
    source: f.get('source', nullable(sourceRef)),
  };
};

const layerSummary: Check<LayerSummary> = (x) => {
  const f = new Fields(x);
  return {
    name: f.get('name', layerName),
    className: f.get('className', text(L.name)),
    activation: f.get('activation', nullable(text(L.name))),
    outputShape: f.get('outputShape', array(nullable(int(0)), L.shapeDims)),
    units: f.get('units', nullable(int(0))),
    params: f.get('params', int(0)),
    tapped: f.get('tapped', bool),
    source: f.get('source', nullable(sourceRef)),
  };
};

const modelSummary: Check<ModelSummary> = (x) => {
  const f = new Fields(x);
  return {
    name: f.get('name', text(L.name)),
    origin: f.get('origin', text(L.name)),
    file: f.get('file', nullable(text(L.path))),
    layers: f.get('layers', array(layerSummary, L.layers)),
    ...f.optional('omitted', array(omittedPart, L.list)),
    ...f.optional(
      'alternatives',
      array((a) => {
        const g = new Fields(a);
        return { name: g.get('name', text(L.name)), source: g.get('source', nullable(sourceRef)) };
      }, L.list),
    ),
  };
};

const liveRunInfo: Check<LiveRunInfo> = (x) => {
  const f = new Fields(x);
  return {
    framework: f.get('framework', oneOf(['torch', 'keras'] as const)),
    frameworkVersion: f.get('frameworkVersion', text(L.name)),
    device: f.get('device', text(L.name)),
    command: f.get('command', nullable(array(text(L.path), L.list))),
    exitCode: f.get('exitCode', nullable(int(-(2 ** 31), 2 ** 32))),
    worldSize: f.get('worldSize', int(1, 1_000_000)),
  };
};

const origin = oneOf(['engine', 'live'] as const);

const evidenceValue: Check<number | string | number[]> = (x) =>
  typeof x === 'string' ? text(L.text)(x) : Array.isArray(x) ? array(statistic, L.units)(x) : statistic(x);

const suggestion: Check<Suggestion> = (x) => {
  const f = new Fields(x);
  return {
    kind: f.get('kind', oneOf(['switch-to-elu'] as const)),
    layer: f.get('layer', layerName),
    alpha: f.get('alpha', finite(Number.MIN_VALUE)),
    heInit: f.get('heInit', bool),
    earlyStopping: f.get('earlyStopping', bool),
    rationale: f.get('rationale', text(L.text)),
  };
};

const FINDING_KINDS: readonly FindingKind[] = [
  'dead-units',
  'dying',
  'never-fires',
  'dormant',
  'mean-drift',
  'non-finite',
  'saturation',
  'overfitting',
  'divergence',
  'source',
];

const finding: Check<Finding> = (x) => {
  const f = new Fields(x);
  return {
    kind: f.get('kind', oneOf(FINDING_KINDS)),
    layer: f.get('layer', nullable(layerName)),
    severity: f.get('severity', oneOf(['error', 'warning', 'info'] as const)),
    message: f.get('message', text(L.text)),
    evidence: f.get('evidence', record(evidenceValue, L.evidenceKeys)),
    source: f.get('source', nullable(sourceRef)),
    ...f.optional('suggestion', suggestion),
  };
};

const findings = array(finding, L.findings);

const stepSeries = array(int(0), L.series);

/**
 * `withoutAccuracy`: a live run may send `accuracy: []` for a run that measures none (PyTorch), read
 * back as NaN per step so the summary keeps one accuracy per loss like every other.
 */
const trainingSummaryOf =
  (withoutAccuracy = false): Check<TrainingSummary> =>
  (x) => {
    const f = new Fields(x);
    const loss = f.get('loss', array(statistic, L.series));
    const accuracy = f.get('accuracy', array(shareOrNaN, L.series));
    return checkedTraining(f, {
      loss,
      accuracy: withoutAccuracy && accuracy.length === 0 ? loss.map(() => NaN) : accuracy,
    });
  };

function checkedTraining(f: Fields, series: Pick<TrainingSummary, 'loss' | 'accuracy'>): TrainingSummary {
  const t: TrainingSummary = {
    steps: f.get('steps', int(0)),
    ...series,
    valLoss: f.get('valLoss', array(statistic, L.series)),
    valAccuracy: f.get('valAccuracy', array(shareOrNaN, L.series)),
    valSteps: f.get('valSteps', stepSeries),
    samplesPerSecond: f.get('samplesPerSecond', finite(0)),
    wallSeconds: f.get('wallSeconds', finite(0)),
    probeSeconds: f.get('probeSeconds', finite(0)),
  };
  if (t.accuracy.length !== t.loss.length)
    failAt('.accuracy', `${t.accuracy.length} entries for ${t.loss.length} losses`);
  if (t.valAccuracy.length !== t.valLoss.length || t.valSteps.length !== t.valLoss.length)
    failAt('.valSteps', 'valLoss, valAccuracy and valSteps differ in length');
  return t;
}

const trainingSummary = trainingSummaryOf();

const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

const runConfig: Check<RunConfig> = (x) => {
  const f = new Fields(x);
  return {
    file: f.get('file', nullable(text(L.path))),
    example: f.get('example', nullable(text(L.name))),
    data: f.get('data', text(L.path)),
    steps: f.get('steps', nullable(int(0))),
    epochs: f.get('epochs', nullable(int(1))),
    batch: f.get('batch', nullable(int(1))),
    probe: f.get('probe', int(1)),
    every: f.get('every', nullable(int(1))),
    overheadBudget: f.get('overheadBudget', finite(Number.MIN_VALUE, 1)),
    backend: f.get('backend', oneOf(BACKEND_NAMES)),
    seed: f.get('seed', int(0)),
    learningRate: f.get('learningRate', nullable(finite(Number.MIN_VALUE))),
    deadThreshold: f.get('deadThreshold', finite(0)),
    dormantTau: f.get('dormantTau', finite(0)),
    whatIf: f.get('whatIf', nullable(oneOf(['elu'] as const))),
    whatIfLayers: f.get('whatIfLayers', nullable(array(layerName, L.layers))),
    eluAlpha: f.get('eluAlpha', finite(Number.MIN_VALUE)),
    ...f.optional('validate', bool),
    ...f.optional('model', nullable(text(L.name))),
    ...f.optional('inputShape', nullable(array(int(1), L.shapeDims))),
  };
};

const meanDriftPoints = array((p) => {
  const g = new Fields(p);
  return { step: g.get('step', int(0)), mean: g.get('mean', statistic) };
}, L.series);

const deadFractionSeries = array((p) => {
  const g = new Fields(p);
  return { step: g.get('step', int(0)), fraction: g.get('fraction', finite(0, 1)) };
}, L.series);

const layerReport: Check<LayerReport> = (x) => {
  const f = new Fields(x);
  const units = f.get('units', int(1, L.units));
  return {
    name: f.get('name', layerName),
    className: f.get('className', text(L.name)),
    activation: f.get('activation', nullable(text(L.name))),
    units,
    source: f.get('source', nullable(sourceRef)),
    ...layerStatistics(f, units),
    meanDrift: f.get('meanDrift', meanDriftPoints),
    deadFraction: f.get('deadFraction', deadFractionSeries),
    nonFinite: f.get('nonFinite', int(0)),
    neverFires: f.get('neverFires', nullable(unitIndices(units))),
  };
};

const whatIfLayerFinal: Check<WhatIfLayerFinal> = (x) => {
  const f = new Fields(x);
  const units = f.get('units', int(1, L.units));
  return {
    layer: f.get('layer', layerName),
    dead: f.get('dead', int(0, units)),
    dormant: f.get('dormant', int(0, units)),
    saturated: f.get('saturated', int(0, units)),
    mean: f.get('mean', statistic),
    meanAbs: f.get('meanAbs', statistic),
    units,
    activation: f.get('activation', text(L.name)),
    mean0: f.get('mean0', statistic),
    switched: f.get('switched', bool),
  };
};

const meanDriftSeries = (x: unknown) => {
  const f = new Fields(x);
  const steps = f.get('steps', stepSeries);
  const mean = f.get('mean', array(statistic, L.series));
  if (steps.length !== mean.length) failAt('.mean', `${mean.length} entries for ${steps.length} steps`);
  return { layer: f.get('layer', layerName), steps, mean };
};

const whatIfArm: Check<WhatIfArm> = (x) => {
  const f = new Fields(x);
  return {
    name: f.get('name', text(L.name)),
    layers: f.get('layers', array(layerName, L.layers)),
    training: f.get('training', trainingSummary),
    final: f.get('final', array(whatIfLayerFinal, L.layers)),
    msPerStep: f.get('msPerStep', statistic),
    meanDrift: f.get('meanDrift', array(meanDriftSeries, L.layers)),
  };
};

const whatIfVerdict: Check<WhatIfVerdict> = (x) => {
  const f = new Fields(x);
  return {
    helps: f.get('helps', nullable(bool)),
    summary: f.get('summary', text(L.text)),
    details: f.get('details', array(text(L.text), L.list)),
    earlyStopping: f.get('earlyStopping', bool),
  };
};

const whatIfReport: Check<WhatIfReport> = (x) => {
  const f = new Fields(x);
  return {
    arms: f.get('arms', array(whatIfArm, L.arms)),
    verdict: f.get('verdict', whatIfVerdict),
    alpha: f.get('alpha', finite(Number.MIN_VALUE)),
    heInit: f.get('heInit', array(layerName, L.layers)),
    sharedWeights: f.get('sharedWeights', (s) => {
      const g = new Fields(s);
      return {
        copied: g.get('copied', int(0)),
        ownInit: g.get('ownInit', array(text(L.path), L.series)),
        unmatched: g.get('unmatched', array(text(L.path), L.series)),
      };
    }),
    stepTimeRatio: f.get('stepTimeRatio', statistic),
    notes: f.get('notes', array(text(L.text), L.list)),
    cancelled: f.get('cancelled', bool),
  };
};

const outputLoss: Check<OutputLoss> = (x) => {
  const f = new Fields(x);
  return {
    output: f.get('output', layerName),
    loss: f.get('loss', text(L.name)),
    fromLogits: f.get('fromLogits', bool),
    chosenBy: f.get('chosenBy', oneOf(['file', 'engine'] as const)),
    note: f.get('note', nullable(text(L.text))),
  };
};

const report: Check<Report> = (x) => {
  const f = new Fields(x);
  return {
    schema: f.get('schema', oneOf([REPORT_SCHEMA] as const)),
    createdAt: f.get('createdAt', text(L.name)),
    backend: f.get('backend', text(L.name)),
    backendDetail: f.get('backendDetail', text(L.text)),
    ...f.optional('origin', origin),
    ...f.optional('live', liveRunInfo),
    model: f.get('model', modelSummary),
    data: f.get('data', (d) => {
      const g = new Fields(d);
      return {
        name: g.get('name', text(L.path)),
        train: g.get('train', int(0)),
        probe: g.get('probe', int(0)),
        validation: g.get('validation', int(0)),
      };
    }),
    config: f.get('config', runConfig),
    layers: f.get('layers', array(layerReport, L.layers)),
    findings: f.get('findings', findings),
    training: f.get('training', trainingSummary),
    ...f.optional('losses', array(outputLoss, L.list)),
    ...f.optional('whatIf', whatIfReport),
    cancelled: f.get('cancelled', bool),
  };
};

// ---- engine → host events ----

type Body<K extends EngineEvent['type']> = Omit<Extract<EngineEvent, { type: K }>, 'v' | 'runId' | 'type'>;

const armName = text(L.name);

const EVENT_BODIES: { [K in EngineEvent['type']]: (f: Fields) => Body<K> } = {
  'run-started': (f) => ({
    backend: f.get('backend', text(L.name)),
    backendDetail: f.get('backendDetail', text(L.text)),
    ...f.optional('origin', origin),
    ...f.optional('live', liveRunInfo),
    model: f.get('model', modelSummary),
    probeSize: f.get('probeSize', int(0)),
    totalSteps: f.get('totalSteps', int(0)),
    definitions: f.get('definitions', record(text(L.text), L.evidenceKeys)),
  }),
  progress: (f) => ({
    ...f.optional('arm', armName),
    step: f.get('step', int(0)),
    totalSteps: f.get('totalSteps', int(0)),
    loss: f.get('loss', statistic),
    accuracy: f.get('accuracy', shareOrNaN),
    samplesPerSecond: f.get('samplesPerSecond', finite(0)),
  }),
  probe: (f) => {
    const step = f.get('step', int(0));
    return { ...f.optional('arm', armName), step, layers: f.get('layers', probeLayers(step)) };
  },
  validation: (f) => ({
    ...f.optional('arm', armName),
    step: f.get('step', int(0)),
    valLoss: f.get('valLoss', statistic),
    valAccuracy: f.get('valAccuracy', shareOrNaN),
  }),
  findings: (f) => ({ findings: f.get('findings', findings) }),
  'run-finished': (f) => ({ report: f.get('report', report) }),
  error: (f) => ({
    message: f.get('message', text(L.longText)),
    file: f.get('file', nullable(text(L.path))),
    line: f.get('line', nullable(int(0))),
    ...f.optional('detail', text(L.longText)),
  }),
  log: (f) => ({
    level: f.get('level', oneOf(['info', 'warn', 'debug'] as const)),
    message: f.get('message', text(L.longText)),
  }),
};

const EVENT_TYPES = Object.keys(EVENT_BODIES) as EngineEvent['type'][];

function version(f: Fields): typeof PROTOCOL_VERSION {
  return f.get('v', oneOf([PROTOCOL_VERSION] as const));
}

const engineEvent: Check<EngineEvent> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  const type = f.get('type', oneOf(EVENT_TYPES));
  const runId = f.get('runId', runIdOf);
  const body = (EVENT_BODIES[type] as (f: Fields) => object)(f);
  return { v, runId, type, ...body } as EngineEvent;
};

/** An engine event of one given type (the events a dashboard state holds). */
const eventOf =
  <K extends EngineEvent['type']>(type: K): Check<Extract<EngineEvent, { type: K }>> =>
  (x) => {
    const e = engineEvent(x);
    if (e.type !== type) fail(`expected a ${type} event, got ${e.type}`);
    return e as Extract<EngineEvent, { type: K }>;
  };

// ---- a live run's own lines ----

/** Longest token a hello may carry (the listeners make 64 hex characters). */
const MAX_TOKEN = 1024;

const liveHelloOf: Check<LiveHello> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  f.get('type', oneOf(['hello'] as const));
  const token = f.get('token', text(MAX_TOKEN));
  if (token.length === 0) failAt('.token', 'empty');
  return {
    v,
    type: 'hello',
    token,
    pid: f.get('pid', int(1, 2 ** 32)),
    framework: f.get('framework', nullable(oneOf(['torch', 'keras'] as const))),
    frameworkVersion: f.get('frameworkVersion', text(L.name)),
    device: f.get('device', text(L.name)),
    worldSize: f.get('worldSize', int(1, 1_000_000)),
    command: f.get('command', nullable(array(text(L.path), L.list))),
  };
};

const liveEndedOf: Check<LiveEnded> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  f.get('type', oneOf(['live-ended'] as const));
  return {
    v,
    type: 'live-ended',
    runId: f.get('runId', runIdOf),
    exitCode: f.get('exitCode', nullable(int(-(2 ** 31), 2 ** 32))),
    training: f.get('training', trainingSummaryOf(true)),
  };
};

// ---- host → engine commands ----

const engineCommand: Check<EngineCommand> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  const type = f.get('type', oneOf(['start', 'cancel'] as const));
  const runId = f.get('runId', runIdOf);
  return type === 'cancel' ? { v, type, runId } : { v, type, runId, config: f.get('config', runConfig) };
};

// ---- webview → host requests ----

const webviewRequestOf: Check<WebviewRequest> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  const type = f.get(
    'type',
    oneOf([
      'ready',
      'analyze',
      'stop',
      'apply-fix',
      'go-to-layer',
      'go-to-line',
      'run-what-if',
      'open-in-editor',
      'compare-previous',
      'clear-comparison',
    ] as const),
  );
  switch (type) {
    case 'ready':
    case 'analyze':
    case 'stop':
    case 'compare-previous':
    case 'clear-comparison':
      return { v, type };
    case 'apply-fix':
    case 'go-to-layer':
      return { v, type, layer: f.get('layer', layerName) };
    case 'run-what-if':
      return { v, type, layers: f.get('layers', array(layerName, 100)) };
    case 'open-in-editor':
      return { v, type, layer: f.get('layer', nullable(layerName)) };
    case 'go-to-line':
      return {
        v,
        type,
        line: f.get('line', int(1, 10_000_000)),
        column: f.get('column', int(0, 10_000_000)),
      };
  }
};

// ---- host → webview messages ----

const dashboardState: Check<DashboardState> = (x) => {
  const f = new Fields(x);
  return {
    runId: f.get('runId', nullable(runIdOf)),
    status: f.get('status', oneOf(['idle', 'running', 'finished', 'cancelled', 'failed'] as const)),
    started: f.get('started', nullable(eventOf('run-started'))),
    progress: f.get('progress', array(eventOf('progress'), L.stateEvents)),
    probes: f.get('probes', array(stateProbeEvent, L.stateEvents)),
    validation: f.get('validation', array(eventOf('validation'), L.stateEvents)),
    findings: f.get('findings', findings),
    report: f.get('report', nullable(report)),
    error: f.get('error', nullable(text(L.longText))),
  };
};

const runComparison: Check<RunComparison> = (x) => {
  const f = new Fields(x);
  return {
    label: f.get('label', text(L.name)),
    training: f.get('training', trainingSummary),
    layers: f.get(
      'layers',
      array((l) => {
        const g = new Fields(l);
        return {
          name: g.get('name', layerName),
          deadFraction: g.get('deadFraction', deadFractionSeries),
          meanDrift: g.get('meanDrift', meanDriftPoints),
        };
      }, L.layers),
    ),
  };
};

const runView: Check<RunView> = (x) => {
  const f = new Fields(x);
  return {
    saved: f.get('saved', nullable(text(L.name))),
    comparison: f.get('comparison', nullable(runComparison)),
  };
};

const hostMessageOf: Check<HostMessage> = (x) => {
  const f = new Fields(x);
  const v = version(f);
  const type = f.get('type', oneOf(['state', 'event', 'run-view', 'focus-layer'] as const));
  switch (type) {
    case 'state':
      return { v, type, state: f.get('state', dashboardState) };
    case 'event':
      return { v, type, event: f.get('event', engineEvent) };
    case 'run-view':
      return { v, type, view: f.get('view', runView) };
    case 'focus-layer':
      return { v, type, layer: f.get('layer', layerName) };
  }
};

// ---- saved runs ----

/** Saved-run ids name files: no separator, no leading dot, nothing a path could climb with. */
export const isSavedRunId = (x: unknown): x is string =>
  typeof x === 'string' && /^[A-Za-z0-9_-][\w.-]{0,119}$/.test(x);

const savedRunId: Check<string> = (x) => {
  if (!isSavedRunId(x)) fail('expected a saved-run id (1–120 of letters, digits, _ . -)');
  return x;
};

const savedRun: Check<SavedRun> = (x) => {
  const f = new Fields(x);
  return {
    schema: f.get('schema', oneOf([SAVED_RUN_SCHEMA] as const)),
    id: f.get('id', savedRunId),
    runId: f.get('runId', runIdOf),
    savedAt: f.get('savedAt', text(L.name)),
    report: f.get('report', report),
    probes: f.get('probes', array(stateProbeEvent, L.stateEvents)),
  };
};

const savedRunSummary: Check<SavedRunSummary> = (x) => {
  const f = new Fields(x);
  return {
    id: f.get('id', savedRunId),
    runId: f.get('runId', runIdOf),
    savedAt: f.get('savedAt', text(L.name)),
    model: f.get('model', text(L.name)),
    file: f.get('file', nullable(text(L.path))),
    origin: f.get('origin', origin),
    backend: f.get('backend', text(L.name)),
    whatIf: f.get('whatIf', bool),
    steps: f.get('steps', int(0)),
    cancelled: f.get('cancelled', bool),
    headline: f.get('headline', text(L.name)),
    bytes: f.get('bytes', int(0)),
  };
};

// ---- the four directions ----

function parseWith<T>(check: Check<T>, raw: unknown, what: string): Parsed<T> {
  try {
    return { ok: true, value: check(raw) };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, error: `${what}${e.at}: ${e.what}` };
    // A getter or proxy that throws (only possible in-process): refused like any malformed message.
    return { ok: false, error: `${what}: unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
}

const valueOrNull = <T>(r: Parsed<T>): T | null => (r.ok ? r.value : null);

/** Engine → host: checks every field of every event (the engine, or a live run, is another process). */
export const checkEngineEvent = (raw: unknown): Parsed<EngineEvent> => parseWith(engineEvent, raw, 'event');
export const parseEngineEvent = (raw: unknown): EngineEvent | null => valueOrNull(checkEngineEvent(raw));

/** Live process → listener, first line: validated before the token is even compared. */
export const checkLiveHello = (raw: unknown): Parsed<LiveHello> => parseWith(liveHelloOf, raw, 'hello');
export const parseLiveHello = (raw: unknown): LiveHello | null => valueOrNull(checkLiveHello(raw));

/** Live process → listener, last line. */
export const checkLiveEnded = (raw: unknown): Parsed<LiveEnded> => parseWith(liveEndedOf, raw, 'live-ended');
export const parseLiveEnded = (raw: unknown): LiveEnded | null => valueOrNull(checkLiveEnded(raw));

/** Host → engine. */
export const checkEngineCommand = (raw: unknown): Parsed<EngineCommand> =>
  parseWith(engineCommand, raw, 'command');
export const parseEngineCommand = (raw: unknown): EngineCommand | null =>
  valueOrNull(checkEngineCommand(raw));

/** Webview → host: the webview renders what a workspace's model and data produce; nothing it says is trusted. */
export const checkWebviewRequest = (raw: unknown): Parsed<WebviewRequest> =>
  parseWith(webviewRequestOf, raw, 'request');
export const parseWebviewRequest = (raw: unknown): WebviewRequest | null =>
  valueOrNull(checkWebviewRequest(raw));

/** Host → webview: the host is trusted, but a malformed message must not break the view. */
export const checkHostMessage = (raw: unknown): Parsed<HostMessage> =>
  parseWith(hostMessageOf, raw, 'message');
export const parseHostMessage = (raw: unknown): HostMessage | null => valueOrNull(checkHostMessage(raw));

/** Saved runs and their summaries come from disk, where anything may have been written. */
export const checkSavedRun = (raw: unknown): Parsed<SavedRun> => parseWith(savedRun, raw, 'saved run');
export const checkSavedRunSummary = (raw: unknown): Parsed<SavedRunSummary> =>
  parseWith(savedRunSummary, raw, 'saved-run summary');
