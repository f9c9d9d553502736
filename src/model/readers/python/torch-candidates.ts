/**
 * The PyTorch models a file defines, as candidates for the analysis: the modules it instantiates
 * at its top level (`net = ResNet18()`, `model = nn.Sequential(...)`), else the nn.Module classes
 * no other class uses as a part (sub-modules may be defined after their user).
 */
import type { SyntaxNode } from '@lezer/common';
import type { ClassValue, Interpreter } from './interpreter';
import type { ModelCandidate } from './model-choice';
import type { SourceText } from './source-text';
import { ModuleDef, ModuleInstance, ModuleListDef, SequentialDef, TorchPart } from './torch-values';
import type { PyValue } from './values';

export interface CandidateContext {
  interp: Interpreter;
  source: SourceText;
  isModuleClass(cls: ClassValue): boolean;
  /** Why a class's forward cannot be fed (several inputs), or null. */
  severalInputs(cls: ClassValue): string | null;
}

export function torchCandidates(
  instances: (ModuleInstance | SequentialDef)[],
  sequentialVariables: Map<SequentialDef, string[]>,
  ctx: CandidateContext,
): ModelCandidate<ModuleInstance | SequentialDef | ClassCandidate>[] {
  // An instance is placed at its class, unless its class has several instances (then where it is built).
  const instancesOf = (cls: ClassValue): number =>
    instances.filter((c) => c instanceof ModuleInstance && c.cls === cls).length;
  if (instances.length > 0)
    return instances.map((c) => ({
      value: c,
      names:
        c instanceof ModuleInstance
          ? [c.cls.name, ...c.moduleVariables, ...(c.builtIn ? [c.builtIn] : []), ...c.localVariables]
          : [...(sequentialVariables.get(c) ?? []), 'sequential'],
      node: c instanceof ModuleInstance ? (instancesOf(c.cls) > 1 ? c.node : c.cls.node) : c.node,
      size: leafCount(c),
      trained: c instanceof ModuleInstance && c.trained,
      unusable: c instanceof ModuleInstance ? ctx.severalInputs(c.cls) : null,
    }));
  const classes: ClassValue[] = [];
  for (const node of ctx.source.tree.topNode.getChildren('ClassDefinition')) {
    const name = node.getChild('VariableName');
    const v = name ? ctx.interp.module.get(ctx.source.slice(name)) : undefined;
    if (v?.kind === 'class' && ctx.isModuleClass(v)) classes.push(v);
  }
  const used = (cls: ClassValue): boolean =>
    classes.some((other) => other !== cls && mentions(other.node, cls.name, ctx.source));
  return classes
    .filter((c) => !used(c))
    .map((cls) => ({
      value: new ClassCandidate(cls),
      names: [cls.name],
      node: cls.node,
      size: 0,
      trained: false,
      unusable: ctx.severalInputs(cls),
    }));
}

/** A module class nothing instantiates: instantiated with its defaults only if it is chosen. */
export class ClassCandidate {
  constructor(readonly cls: ClassValue) {}
}

export function partOf(value: PyValue | undefined): TorchPart | null {
  return value?.kind === 'host' && value.value instanceof TorchPart ? value.value : null;
}

/** Modules with weights or activations a candidate reaches (its size, to prefer the whole over a part). */
function leafCount(root: TorchPart): number {
  let count = 0;
  const seen = new Set<TorchPart>();
  const stack: TorchPart[] = [root];
  while (stack.length > 0 && seen.size < 100_000) {
    const part = stack.pop()!;
    if (seen.has(part)) continue;
    seen.add(part);
    if (part instanceof ModuleDef) count++;
    const children: PyValue[] =
      part instanceof ModuleInstance
        ? [...part.attributes.values()]
        : part instanceof SequentialDef
          ? part.children
          : part instanceof ModuleListDef
            ? part.items
            : [];
    for (const child of children) {
      const items =
        child.kind === 'tuple' ? child.items : child.kind === 'dict' ? [...child.entries.values()] : [child];
      for (const item of items) {
        const p = partOf(item);
        if (p) stack.push(p);
      }
    }
  }
  return count;
}

/** Whether `name` appears as a name inside `node` (a class used as a part of another). */
function mentions(node: SyntaxNode, name: string, source: SourceText): boolean {
  const cursor = node.cursor();
  do {
    if (
      cursor.name === 'VariableName' &&
      source.slice(cursor.node) === name &&
      cursor.from !== node.getChild('VariableName')?.from
    )
      return true;
  } while (cursor.next() && cursor.from < node.to);
  return false;
}
