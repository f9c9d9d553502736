/**
 * One live run, built from its events (already validated by src/protocol.ts): what the dashboard
 * is sent, the per-layer histories, the training record, and at the end the findings (the one
 * advisor, src/advisor through runFindings) and the report@1 with `origin: "live"`.
 *
 * A training process may send anything a validator accepts, so the run also keeps the wire's
 * order: one run-started (a second is dropped), probes only after it and never back in time,
 * and only the events a process may send — findings and run-finished come from here, never from
 * the process. A probe event too large for one line arrives as several probe events of the same
 * step (the taps split at 8 MiB): they are merged into one before anything else sees them.
 * Layers that first appear in a later probe (a data-dependent branch) join the run then.
 */
import { runFindings } from '../analysis/findings';
import { layerReportOf } from '../analysis/layer-report';
import type { LayerHistory } from '../advisor/rules';
import type { LayerSpec } from '../model/spec';
import {
  checkEngineEvent,
  createEmitter,
  REPORT_SCHEMA,
  type EngineEvent,
  type Finding,
  type LayerProbe,
  type LayerReport,
  type LayerSummary,
  type LiveEnded,
  type LiveHello,
  type ProbeEvent,
  type Report,
  type RunConfig,
  type RunStartedEvent,
  type TrainingSummary,
} from '../protocol';
import { defaultRunConfig } from '../run-config';

/** The listener's own settings, which the report's config records (thresholds the advisor uses). */
export type LiveSettings = Pick<
  RunConfig,
  'deadThreshold' | 'dormantTau' | 'eluAlpha' | 'every' | 'overheadBudget'
>;

export function defaultLiveSettings(): LiveSettings {
  const d = defaultRunConfig();
  return {
    deadThreshold: d.deadThreshold,
    dormantTau: d.dormantTau,
    eluAlpha: d.eluAlpha,
    every: d.every,
    overheadBudget: d.overheadBudget,
  };
}

/** How a live run came to its end. */
export type LiveEnd =
  /** The process sent live-ended. */
  | { kind: 'ended'; ended: LiveEnded }
  /** The connection closed without live-ended (a crash, a kill, or the person stopped watching). */
  | { kind: 'closed'; cancelled: boolean; exitCode: number | null };

export interface LiveFinish {
  /** To pass on: the findings, then run-finished with the report (none without run-started). */
  events: EngineEvent[];
  report: Report | null;
}

type Log = (level: 'info' | 'warn', message: string) => void;

export class LiveRun {
  started: RunStartedEvent | null = null;
  private readonly order: string[] = [];
  private readonly probes = new Map<string, LayerProbe[]>();
  private readonly extraSummaries = new Map<string, LayerSummary>();
  private pending: ProbeEvent | null = null;
  private lastProbeStep = -1;
  private readonly lossByStep = new Map<number, number>();
  private lastProgress: Extract<EngineEvent, { type: 'progress' }> | null = null;
  private readonly validations: Extract<EngineEvent, { type: 'validation' }>[] = [];
  /** Messages of the error events the process sent (a script that never trained says why here). */
  readonly errors: string[] = [];
  private readonly startedAt = Date.now();
  private finished = false;

  constructor(
    readonly runId: string,
    readonly hello: LiveHello | null,
    private readonly settings: LiveSettings,
    private readonly log: Log,
  ) {}

  /** Whether a probe part waits for the rest of its step (flush() passes it on). */
  get holdsProbe(): boolean {
    return this.pending !== null;
  }

  /** Folds in one event of this run; returns what to pass on now, in order. */
  accept(event: EngineEvent): EngineEvent[] {
    if (this.finished) return [];
    if (event.type === 'probe' && this.pending && event.step === this.pending.step) {
      this.mergeProbe(event);
      return [];
    }
    const out = this.flush();
    switch (event.type) {
      case 'run-started':
        if (this.started) {
          this.log('warn', `${this.runId}: a second run-started was ignored`);
          return out;
        }
        this.started = event;
        return [...out, event];
      case 'probe':
        if (!this.started) {
          this.log('warn', `${this.runId}: a probe before run-started was ignored`);
          return out;
        }
        if (event.step < this.lastProbeStep) {
          this.log(
            'warn',
            `${this.runId}: a probe of step ${event.step} after step ${this.lastProbeStep} was ignored`,
          );
          return out;
        }
        this.pending = withoutArm(event);
        return out;
      case 'progress':
        if (this.started) {
          this.lastProgress = event;
          if (Number.isFinite(event.loss)) this.lossByStep.set(event.step, event.loss);
        }
        return [...out, withoutArm(event)];
      case 'validation':
        this.validations.push(event);
        return [...out, withoutArm(event)];
      case 'error':
        this.errors.push(event.message);
        return [...out, event];
      case 'log':
        return [...out, event];
      case 'findings':
      case 'run-finished':
        // Findings come from the one advisor, here, not from the process.
        this.log('warn', `${this.runId}: a ${event.type} event from the training process was ignored`);
        return out;
    }
  }

  /** The probe event held for the rest of its step, as one event (empty when none). */
  flush(): EngineEvent[] {
    const p = this.pending;
    if (!p) return [];
    this.pending = null;
    // A merged probe is checked again as a whole (distinct layers, the per-probe unit bound).
    const checked = checkEngineEvent(p);
    if (!checked.ok) {
      this.log(
        'warn',
        `${this.runId}: the probe of step ${p.step} was refused once merged: ${checked.error}`,
      );
      return [];
    }
    this.lastProbeStep = p.step;
    for (const layer of p.layers) {
      let list = this.probes.get(layer.layer);
      if (!list) {
        list = [];
        this.probes.set(layer.layer, list);
        this.order.push(layer.layer);
        if (!this.summaryOf(layer.layer)) this.extraSummaries.set(layer.layer, probedOnly(layer));
      }
      list.push(layer);
    }
    return [p];
  }

  /**
   * Ends the run: the findings of the one advisor and the report, as events to pass on. Without a
   * run-started (nothing was measured) there is no report; `errors` says why.
   */
  finish(end: LiveEnd): LiveFinish {
    const events = this.flush();
    if (this.finished) return { events, report: null };
    this.finished = true;
    const started = this.started;
    if (!started) return { events, report: null };
    const emit = createEmitter(this.runId, (e) => events.push(e));
    const training = end.kind === 'ended' ? end.ended.training : this.trainingSoFar();
    const config = this.config(started);
    const histories = this.histories();
    const findings: Finding[] = runFindings({ issues: [] }, histories, training, config, emit);
    const report = this.report(started, end, config, histories, findings, training);
    emit({ type: 'run-finished', report });
    return { events, report };
  }

  private mergeProbe(part: ProbeEvent): void {
    const p = this.pending!;
    const names = new Set(p.layers.map((l) => l.layer));
    const fresh = part.layers.filter((l) => !names.has(l.layer));
    if (fresh.length < part.layers.length)
      this.log('warn', `${this.runId}: layers sent twice in the probe of step ${p.step} were ignored`);
    this.pending = { ...p, layers: [...p.layers, ...fresh] };
  }

  private summaryOf(name: string): LayerSummary | undefined {
    return this.started?.model.layers.find((l) => l.name === name) ?? this.extraSummaries.get(name);
  }

  private histories(): LayerHistory[] {
    return this.order.map((name) => {
      const summary = this.summaryOf(name);
      return {
        name,
        // Unknown activation (a layer seen only in probes): nothing is decided by name for it.
        activation: summary?.activation ?? '',
        spec: summary ? layerSpecOf(summary) : null,
        probes: this.probes.get(name) ?? [],
        neverFires: null,
      };
    });
  }

  /** Without live-ended: the losses the progress events carried, at their steps (NaN elsewhere). */
  private trainingSoFar(): TrainingSummary {
    const steps = this.lastProgress?.step ?? Math.max(0, this.lastProbeStep);
    const loss = Array.from({ length: steps }, (_, i) => this.lossByStep.get(i + 1) ?? NaN);
    return {
      steps,
      loss,
      accuracy: loss.map(() => NaN),
      valLoss: this.validations.map((v) => v.valLoss),
      valAccuracy: this.validations.map((v) => v.valAccuracy),
      valSteps: this.validations.map((v) => v.step),
      samplesPerSecond: this.lastProgress?.samplesPerSecond ?? 0,
      wallSeconds: (Date.now() - this.startedAt) / 1000,
      probeSeconds: 0,
    };
  }

  private config(started: RunStartedEvent): RunConfig {
    // Engine-only fields (seed, data, backend) keep their defaults: a live run does not use them.
    return {
      ...defaultRunConfig(),
      ...this.settings,
      file: started.model.file,
      data: 'live',
      probe: Math.max(1, started.probeSize),
      validate: false,
    };
  }

  private report(
    started: RunStartedEvent,
    end: LiveEnd,
    config: RunConfig,
    histories: LayerHistory[],
    findings: Finding[],
    training: TrainingSummary,
  ): Report {
    const live = started.live ?? liveInfoOf(this.hello);
    const exitCode = end.kind === 'ended' ? end.ended.exitCode : end.exitCode;
    return {
      schema: REPORT_SCHEMA,
      createdAt: new Date().toISOString(),
      backend: live ? `${live.framework} ${live.device}` : started.backend,
      backendDetail: started.backendDetail,
      origin: 'live',
      ...(live ? { live: { ...live, exitCode: exitCode ?? live.exitCode } } : {}),
      model: { ...started.model, layers: [...started.model.layers, ...this.extraSummaries.values()] },
      data: { name: 'live', train: 0, probe: started.probeSize, validation: 0 },
      config,
      layers: histories.flatMap((h) => layerReport(h, this.summaryOf(h.name))),
      findings,
      training,
      cancelled: end.kind === 'closed' && end.cancelled,
    };
  }
}

function withoutArm<E extends EngineEvent & { arm?: string }>(event: E): E {
  // A live run has one arm: an `arm` would make the dashboard treat it as a what-if comparison.
  if (event.arm === undefined) return event;
  const { arm: _arm, ...rest } = event;
  return rest as E;
}

function liveInfoOf(hello: LiveHello | null): Report['live'] | null {
  if (!hello?.framework) return null;
  return {
    framework: hello.framework,
    frameworkVersion: hello.frameworkVersion,
    device: hello.device,
    command: hello.command,
    exitCode: null,
    worldSize: hello.worldSize,
  };
}

/** A layer the run-started event did not list: what its probes say about it. */
function probedOnly(p: LayerProbe): LayerSummary {
  return {
    name: p.layer,
    className: '',
    activation: null,
    outputShape: [],
    units: p.units,
    params: 0,
    tapped: true,
    source: null,
  };
}

/** What the advisor reads of a layer: its name, activation and source line. */
function layerSpecOf(s: LayerSummary): LayerSpec {
  return {
    name: s.name,
    className: s.className,
    activation: s.activation,
    source: s.source ? { file: s.source.file, line: s.source.line, column: s.source.column } : null,
  };
}

function layerReport(h: LayerHistory, summary: LayerSummary | undefined): LayerReport[] {
  const report = layerReportOf(h, {
    className: summary?.className ?? '',
    activation: summary?.activation ?? null,
    source: summary?.source ?? null,
    // A live run sees only the probe batches, not a full pass over data: no never-fires count.
    neverFires: null,
  });
  return report ? [report] : [];
}
