/** The report (schema activation-lens/report@1) and the pieces of it events share. */
import type * as tfType from '@tensorflow/tfjs';
import type { LayerHistory } from '../advisor/rules';
import { isTappedClass } from '../probe/taps';
import type { ModelSpec } from '../model/spec';
import {
  DEFINITIONS,
  REPORT_SCHEMA,
  type EventBody,
  type Finding,
  type LayerReport,
  type LayerSummary,
  type ModelSummary,
  type OutputLoss,
  type Report,
  type RunConfig,
  type SourceRef,
} from '../protocol';
import type { TrainingPlan } from '../training/label-check';
import type { Prepared } from './prepare';
import { layerReportOf } from './layer-report';

function sourceRef(spec: ModelSpec, name: string): SourceRef | null {
  const s = spec.layers.find((l) => l.name === name)?.source;
  return s ? { file: s.file, line: s.line, column: s.column } : null;
}

export function layerSummaries(model: tfType.LayersModel, spec: ModelSpec): LayerSummary[] {
  return model.layers.map((layer) => {
    const shape = outputShapeOf(layer);
    const specLayer = spec.layers.find((l) => l.name === layer.name);
    const last = shape[shape.length - 1];
    return {
      name: layer.name,
      className: layer.getClassName(),
      activation: specLayer?.activation ?? null,
      outputShape: shape,
      units: typeof last === 'number' ? last : null,
      params: layer.countParams(),
      tapped: isTappedClass(layer.getClassName()),
      source: sourceRef(spec, layer.name),
    };
  });
}

export function layerReports(histories: LayerHistory[], spec: ModelSpec): LayerReport[] {
  return histories.flatMap((h) => {
    const report = layerReportOf(h, {
      className: h.spec?.className ?? '',
      activation: h.activation,
      source: sourceRef(spec, h.name),
      neverFires: h.neverFires,
    });
    return report ? [report] : [];
  });
}

export function buildReport(args: {
  prepared: Prepared;
  config: RunConfig;
  model: tfType.LayersModel;
  histories: LayerHistory[];
  findings: Finding[];
  training: Report['training'];
  cancelled: boolean;
}): Report {
  const { prepared: p } = args;
  const layers = layerReports(args.histories, p.spec);
  // className from the built model where the spec lacks it.
  for (const l of layers) if (!l.className) l.className = args.model.getLayer(l.name).getClassName();
  return {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    backend: p.backend.name,
    backendDetail: p.backend.detail,
    model: modelSummary(args.model, p.spec),
    data: {
      name: p.splits.name,
      train: p.splits.train.count,
      probe: p.splits.probe.count,
      validation: p.splits.validation.count,
    },
    config: args.config,
    layers,
    findings: args.findings,
    training: args.training,
    losses: outputLosses(p.plan),
    cancelled: args.cancelled,
  };
}

/** Each output's loss as the report states it. */
export function outputLosses(plan: TrainingPlan): OutputLoss[] {
  return plan.heads.map((h) => ({
    output: h.head.name,
    loss: h.loss,
    fromLogits: h.fromLogits,
    chosenBy: h.chosenBy,
    note: h.note,
  }));
}

/**
 * The model as the report and the run-started event describe it: with the parts of the file left
 * out of it (a partial model is never a quiet success) and the other models the file defines.
 */
export function modelSummary(model: tfType.LayersModel, spec: ModelSpec): ModelSummary {
  const omitted = (spec.omitted ?? []).map((o) => ({
    what: o.what,
    reason: o.reason,
    source: { file: o.file, line: o.line, column: o.column },
  }));
  const alternatives = (spec.alternatives ?? []).map((a) => ({
    name: a.name,
    source: spec.file ? { file: spec.file, line: a.line, column: a.column } : null,
  }));
  return {
    name: spec.name,
    origin: spec.origin,
    file: spec.file,
    layers: layerSummaries(model, spec),
    ...(omitted.length > 0 ? { omitted } : {}),
    ...(alternatives.length > 0 ? { alternatives } : {}),
  };
}

/** The first event of a run: backend, model, probe size, budget and the definitions the UI states. */
export function runStartedEvent(
  p: Prepared,
  model: tfType.LayersModel,
): Extract<EventBody, { type: 'run-started' }> {
  return {
    type: 'run-started',
    backend: p.backend.name,
    backendDetail: p.backend.detail,
    model: modelSummary(model, p.spec),
    probeSize: p.splits.probe.count,
    totalSteps: p.totalSteps,
    definitions: DEFINITIONS,
  };
}

/** The layer's output shape; a layer with several outputs is described by its first (the wire holds one). */
function outputShapeOf(layer: tfType.layers.Layer): (number | null)[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  return Array.isArray(shape[0]) ? (shape[0] as (number | null)[]) : (shape as (number | null)[]);
}
