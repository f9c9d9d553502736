/** Paths of the parser processes the extension tests start: the real one and the hostile one. */
import { join } from 'node:path';

/** The production parser bundle, built by build/build.mjs before the tests run. */
export const PARSER_SCRIPT = join(__dirname, '..', '..', '..', 'dist', 'parser.js');
/** The serving loop around a parse that spins or grows on demand (hostile-parser.child.ts). */
export const HOSTILE_PARSER_SCRIPT = join(__dirname, 'hostile-parser.child.js');
