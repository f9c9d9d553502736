/**
 * The main job: pick a backend, load the model and data, train with taps, advise, report — the
 * one-arm case of the arm runner. Emits protocol events as it goes; the CLI prints them and the
 * extension relays them.
 */
import { buildModel } from '../model/build/build';
import type { Emit, Report, RunConfig } from '../protocol';
import { runArms, type CancelToken } from './arm-runner';
import { runFindings } from './findings';
import { prepare } from './prepare';
import { buildReport, runStartedEvent } from './report';
import { untilFirstStep } from './first-step';

export async function runAnalysis(config: RunConfig, emit: Emit, cancel: CancelToken): Promise<Report> {
  const p = await prepare(config, emit);
  const model = await buildModel(p.tf, p.spec, config.seed);
  try {
    emit(runStartedEvent(p, model));
    const [run] = await untilFirstStep(p.spec, emit, (watched) =>
      runArms(p, [{ name: p.spec.name, spec: p.spec, model, layers: [] }], config, watched, cancel),
    );
    const findings = runFindings(
      p.spec,
      run!.histories,
      run!.training,
      config,
      emit,
      {
        learningRate: run!.learningRate,
        classes: p.splits.classes,
        fault: run!.fault,
      },
      p.plan,
    );
    return buildReport({
      prepared: p,
      config,
      model,
      histories: run!.histories,
      findings,
      training: run!.training,
      cancelled: cancel.cancelled,
    });
  } finally {
    model.dispose();
  }
}
