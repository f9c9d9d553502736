/** `nn.Sequential(OrderedDict([('conv1', nn.Conv2d(...)), ...]))`: children with the names given. */
import type { CallContext } from './interpreter';
import { NamedModules } from './torch-values';
import type { PyValue } from './values';

/** `OrderedDict([('conv1', nn.Conv2d(...)), ...])` for a Sequential with named children. */
export function orderedModules(ctx: CallContext): PyValue | undefined {
  const list = ctx.args[0]?.value;
  if (list?.kind !== 'tuple') return undefined;
  const entries: [string, PyValue][] = [];
  for (const item of list.items) {
    const name =
      item.kind === 'tuple' && item.items.length === 2 && item.items[0]!.kind === 'string'
        ? item.items[0]!.value
        : null;
    if (name === null || item.kind !== 'tuple') return undefined;
    entries.push([name, item.items[1]!]);
  }
  return { kind: 'host', value: new NamedModules(entries) };
}
