/**
 * Findings as SARIF 2.1.0, so code-scanning tools and SARIF viewers can show them. Pure.
 */
import { pathToFileURL } from 'node:url';
import { relative, isAbsolute } from 'node:path';
import type { Finding, FindingKind, Severity } from '../src/protocol';
import { DEFINITIONS } from '../src/protocol';

const RULES: Record<FindingKind, string> = {
  'dead-units': DEFINITIONS.dead ?? 'Dead units',
  dying: 'The dead-unit fraction grows during training.',
  'never-fires': DEFINITIONS.neverFires ?? 'Never-firing units',
  dormant: DEFINITIONS.dormant ?? 'Dormant units',
  'mean-drift': DEFINITIONS.meanDrift ?? 'Mean drift',
  'non-finite': 'NaN or infinite activations on the probe set.',
  saturation: DEFINITIONS.saturated ?? 'Saturated units',
  overfitting: 'Validation loss rises while training loss falls.',
  divergence:
    'Training diverged: the loss rose far above its start, or activations exploded; lower the learning rate.',
  source: 'Part of the model source could not be understood.',
};

const level = (s: Severity): 'error' | 'warning' | 'note' => (s === 'info' ? 'note' : s);

export interface SarifOptions {
  toolVersion: string;
  /** Locations under this folder are written relative to it (uriBaseId SRCROOT). */
  workspaceFolder: string | null;
}

export function findingsToSarif(
  findings: readonly Finding[],
  options: SarifOptions,
): Record<string, unknown> {
  const kinds = [...new Set(findings.map((f) => f.kind))].sort();
  const results = findings.map((f) => {
    const result: Record<string, unknown> = {
      ruleId: f.kind,
      ruleIndex: kinds.indexOf(f.kind),
      level: level(f.severity),
      message: { text: f.message },
      properties: {
        layer: f.layer,
        evidence: f.evidence,
        ...(f.suggestion ? { suggestion: f.suggestion } : {}),
      },
    };
    if (f.source) {
      const rel = options.workspaceFolder ? relative(options.workspaceFolder, f.source.file) : null;
      const inside = rel !== null && !rel.startsWith('..') && !isAbsolute(rel);
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: inside
              ? { uri: rel.split('\\').join('/'), uriBaseId: 'SRCROOT' }
              : { uri: pathToFileURL(f.source.file).href },
            region: { startLine: f.source.line, startColumn: f.source.column },
          },
        },
      ];
    }
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Activation Lens',
            version: options.toolVersion,
            informationUri: 'https://arxiv.org/abs/1511.07289',
            rules: kinds.map((k) => ({ id: k, shortDescription: { text: RULES[k] } })),
          },
        },
        ...(options.workspaceFolder
          ? { originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(options.workspaceFolder + '/').href } } }
          : {}),
        results,
      },
    ],
  };
}
