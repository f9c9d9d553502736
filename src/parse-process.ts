/**
 * The parser as a child process of the extension host (dist/parser.js): the model readers run here,
 * never on the host's thread, so a source that makes a reader loop, recurse or allocate without end
 * costs this process — killed by the host at its time limit, or aborted by V8 at its heap limit —
 * and never freezes VS Code. Sources are parsed, never executed.
 */
import { parseModelSourceOrThrow } from './model/readers/source';
import { serveParses } from './parse-serve';

serveParses(parseModelSourceOrThrow);
