/** A call's arguments looked up by parameter name, keyword or positional (Python's binding). */
import type { Argument } from './interpreter';

export class Parameters {
  constructor(
    private readonly args: Argument[],
    private readonly names: string[],
  ) {}

  get(...names: string[]): Argument | undefined {
    for (const name of names) {
      const kw = this.args.find((a) => a.keyword === name);
      if (kw) return kw;
      const index = this.names.indexOf(name);
      if (index >= 0) {
        const positional = this.args.filter((a) => a.keyword === null)[index];
        if (positional) return positional;
      }
    }
    return undefined;
  }
}
