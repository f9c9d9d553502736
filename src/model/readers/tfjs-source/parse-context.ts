/** What every part of the TF.js source parser shares while reading one file. */
import ts from 'typescript';
import type { OmittedSourcePart, SourceIssue } from '../../spec';
import type { ConstantFolder } from './constant-folding';
import type { ReadDeadline } from './source-budget';
import { positionAt } from './source-range';
import type { TfBindings } from './tf-bindings';

export class ParseContext {
  readonly issues: SourceIssue[] = [];
  /** Nodes an issue was already reported for, so the sweep for stray layers stays quiet on them. */
  readonly reported = new Set<ts.Node>();

  constructor(
    readonly sf: ts.SourceFile,
    readonly file: string,
    readonly bindings: TfBindings,
    readonly folder: ConstantFolder,
    /** The wall-clock budget every walk over the file ticks. */
    readonly deadline: ReadDeadline,
  ) {}

  /** Parts left out of a model (`owner`: the model they belong to; null: the one analysed). */
  readonly omitted: { part: OmittedSourcePart; owner: object | null }[] = [];

  /**
   * Reports `message` (an error on the node's line) and records `what` as left out of the model
   * (`reason`), so the analysis is marked partial, never a quiet success.
   */
  leaveOut(node: ts.Node, what: string, reason: string, message: string, owner: object | null = null): void {
    this.issue(node, message, 'error');
    const { line, column } = positionAt(this.sf, node.getStart(this.sf));
    this.omitted.push({ part: { what, reason, file: this.file, line, column }, owner });
  }

  issue(node: ts.Node, message: string, severity: SourceIssue['severity']): void {
    const { line, column } = positionAt(this.sf, node.getStart(this.sf));
    this.issues.push({ file: this.file, line, column, message, severity });
    this.reported.add(node);
  }

  /** `tf.layers.dense(...)` → 'dense'; null for anything that is not a TF.js layer factory call. */
  layerFactoryOf(call: ts.CallExpression): string | null {
    const path = this.bindings.pathOf(call.expression);
    return path && path.length === 2 && path[0] === 'layers' ? path[1]! : null;
  }
}
