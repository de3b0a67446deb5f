// scan-incomplete: the scan could not see something that decides the answer, so it cannot say there is no
// problem. Per app (the `scan` hook): a CORS option whose value it could not resolve, a condition around the
// CORS registration it could not decide. Per project (`projectGaps`, called by the scan itself): no app
// and no proxy configuration at all, files it would have read and could not, a bound of the walk that was
// hit, and an nginx configuration nginx itself refuses (an error: nginx does not start with it).
import type { Finding } from '../../core/causes.js';
import type { Project } from '../../project/types.js';
import { corsEntries } from '../../python/options.js';
import type { CorsOptions, ResolvedValue } from '../../python/types.js';
import { scanProxyFor } from '../security-proxy.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

const CODE = 'scan-incomplete';

const CHECK_LIVE =
  'Or check the running server, which answers with the values it really has: cors-doctor check URL --origin ORIGIN.';

/** The parts of a value that could not be resolved: the value itself, or items of a list. */
function unresolvedParts(rv: ResolvedValue): ResolvedValue[] {
  const v = rv.value;
  if (v.kind === 'unresolved') return [rv];
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') return v.items.flatMap(unresolvedParts);
  return [];
}

const reasonOf = (rv: ResolvedValue): string =>
  rv.value.kind === 'unresolved' ? rv.value.reason : 'not resolved';

/** Each CORS registration of the app with an option it could not resolve, or a condition it could not decide. */
function scanUnresolved({ app }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const entry of corsEntries(app)) {
    const where = entry.source ? `${entry.source.file}:${entry.source.line}` : 'the CORS registration';
    const registration = (at: { file: string; line: number }) =>
      entry.source && (entry.source.file !== at.file || entry.source.line !== at.line)
        ? { related: [entry.source] }
        : {};
    const parts = Object.entries(entry.options ?? {}).flatMap(([option, rv]) =>
      rv ? unresolvedParts(rv).map((part) => ({ option: option as keyof CorsOptions, part })) : [],
    );
    const first = parts[0];
    if (first) {
      const names = [...new Set(parts.map((p) => p.option))];
      findings.push({
        file: first.part.source.file,
        line: first.part.source.line,
        ...registration(first.part.source),
        message: `${names.join(', ')} of the CORSMiddleware at ${where} could not be resolved: the scan cannot tell what this app answers, so it cannot say its CORS setup works.`,
        evidence: parts.map(
          ({ option, part }) =>
            `${option}: ${part.expression} at ${part.source.file}:${part.source.line}: ${reasonOf(part)}`,
        ),
        fix: {
          summary: `Give the value where the project can be read: set the variable in the .env or compose file the deployment uses, or write the value in the code; then scan again. ${CHECK_LIVE}`,
        },
      });
    }
    const gate = entry.gate;
    if (gate && gate.holds === undefined) {
      findings.push({
        file: gate.source.file,
        line: gate.source.line,
        ...registration(gate.source),
        message: `Whether the CORSMiddleware at ${where} is added depends on \`${gate.condition}\`, which the scan could not decide: it was taken to be added.`,
        evidence: gate.via,
        fix: {
          summary: `Set the values the condition reads where the deployment sets them (.env, compose), then scan again. ${CHECK_LIVE}`,
        },
      });
    }
  }
  return findings;
}

export const scanIncomplete: CauseRule = {
  code: CODE,
  severity: 'warning',
  title:
    'The scan could not see something that decides the answer: a file it could not read, a value it could not resolve, an nginx configuration nginx refuses.',
  scan: scanUnresolved,
  // An nginx variable written as Access-Control-Allow-Origin whose map or set is in no file read.
  scanProxy: (context) => scanProxyFor(CODE, context),
};

const finding = (draft: FindingDraft): Finding => ({
  code: CODE,
  ...draft,
  severity: draft.severity ?? scanIncomplete.severity,
});

/**
 * What the scan of a whole project could not see and that may hide a problem. Files that are not text
 * (Python does not run them) and symlinks out of the project are not findings: the report lists them.
 */
export function projectGaps(project: Project): Finding[] {
  const out: Finding[] = [];
  for (const config of project.proxies) {
    if (!config.syntaxError) continue;
    out.push(
      finding({
        severity: 'error',
        file: config.file,
        line: config.syntaxError.line,
        // The parser's message already says that nginx -t rejects the file and its CORS rules were not read.
        message: `${config.file} has a syntax error: ${config.syntaxError.message}. nginx does not start or reload with it.`,
        fix: {
          summary: `Correct the syntax at ${config.file}:${config.syntaxError.line} (check with nginx -t -c ${config.file}), then scan again.`,
        },
      }),
    );
  }
  const unseen = project.unseen;
  const files = unseen?.files.filter((f) => !f.notText) ?? [];
  const firstFile = files[0];
  if (firstFile) {
    out.push(
      finding({
        file: firstFile.file,
        line: 1,
        message: `${files.length} file(s) the scan reads could not be read: an app, its CORS setup or the values it reads may be in them.`,
        evidence: files.map((f) => `${f.file}: ${f.why}`),
        fix: {
          summary:
            'Make the files readable (a symlink to an existing file, a regular file, a file under the size limit), then scan again.',
        },
      }),
    );
  }
  for (const bound of unseen?.bounds ?? [])
    out.push(
      finding({
        file: '.',
        line: 1,
        message: `The scan stopped early: ${bound}; an app or its CORS setup may be in what it did not read.`,
        fix: {
          summary:
            'Scan the backend folder itself rather than a folder above it (dependencies, data and build output are not part of it).',
        },
      }),
    );
  if (project.apps.length === 0 && project.proxies.length === 0)
    out.push(
      finding({
        file: '.',
        line: 1,
        message: `No FastAPI or Starlette app and no nginx configuration ${files.length > 0 ? 'in the files that could be read' : 'in this folder'}: nothing was checked.`,
        ...(unseen &&
          unseen.outsideLinks.length > 0 && {
            evidence: unseen.outsideLinks.map(
              (l) => `${l.file} -> ${l.target}: a symlink out of the project, not followed`,
            ),
          }),
        fix: {
          summary: "Scan the backend project's folder (the one with the FastAPI(...) or Starlette(...) app).",
        },
      }),
    );
  return out;
}
