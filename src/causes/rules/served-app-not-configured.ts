import type { SourceEdit } from '../../core/causes.js';
import { moduleFile, type ServeCommand } from '../../project/serve-commands.js';
import { corsEntries } from '../../python/options.js';
import type { PythonApp, SourceRef } from '../../python/types.js';
import {
  type AsgiObject,
  type Bound,
  contains,
  knownFiles,
  moduleObjects,
} from '../../servers/served-object.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const servedAppNotConfigured: CauseRule = {
  code: 'served-app-not-configured',
  severity: 'error',
  title: 'The server runs another ASGI object than the one CORSMiddleware was set up on.',
  scan: scanServedApp,
};

const at = (r: SourceRef): string => `${r.file}:${r.line}`;
const frameworkOf = (app: PythonApp): string => (app.framework === 'fastapi' ? 'FastAPI' : 'Starlette');

function describe(o: AsgiObject): string {
  if (o.wrapper)
    return `\`${o.name}\`, a ${o.wrapper.name} around \`${o.inner?.name}\` (${o.file}:${o.line})`;
  return `the ${frameworkOf(o.app)} app \`${o.name}\` (created at ${at(o.app.source)})`;
}

/** A `replace-text` edit that serves `name` instead, when the command names its object in one literal. */
function serveInstead(command: ServeCommand, name: string): SourceEdit[] | undefined {
  const t = command.target;
  if (!t || command.factory || command.server === 'fastapi' || !t.text.endsWith(command.attribute))
    return undefined;
  const to = `${t.text.slice(0, t.text.length - command.attribute.length)}${name}`;
  return [{ kind: 'replace-text', file: command.file, line: t.line, from: t.text, to }];
}

/**
 * A `replace-text` edit that makes the served wrapper wrap `name` instead of the object it wraps now
 * (`ServerTiming(app)` -> `ServerTiming(cors_app)`), when the argument is written as the binding lists it.
 */
function wrapInstead(served: AsgiObject, name: string): SourceEdit[] | undefined {
  const argument = served.argument;
  const inner = served.inner?.name;
  if (!argument || !inner) return undefined;
  const keyword = /^(\w+)=/.exec(argument)?.[1];
  const [from, to] = keyword ? [argument, `${keyword}=${name}`] : [`(${inner}`, `(${name}`];
  return [{ kind: 'replace-text', file: served.file, line: served.line, from, to }];
}

function scanServedApp({ project, app }: ScanContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  const seen = new Set<string>();
  for (const command of project.serveCommands ?? []) {
    if (command.factory) continue; // what a factory returns is not followed
    const key = `${command.file}:${command.line}:${command.module}:${command.attribute}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = command.resolved?.file ?? moduleFile(command, knownFiles(project.apps));
    if (!file) continue;
    const objects = moduleObjects(project.apps, file, command.resolved?.bindings);
    const served = objects?.get(command.attribute);
    // Reported once, on the app the served object is made of; nothing when the served object has CORS.
    if (!objects || typeof served !== 'object' || served.app !== app || served.cors) continue;
    const finding =
      wrapperFinding(command, served, objects) ??
      elsewhereFinding(command, served, file) ??
      mountFinding(command, served, project.apps) ??
      otherAppFinding(command, served, objects);
    if (finding) out.push(finding);
  }
  return out;
}

function servedLine(command: ServeCommand, served: AsgiObject): string {
  return `${command.server} serves ${command.module}:${command.attribute} (${command.file}:${command.line}): ${describe(served)}, which has no CORSMiddleware.`;
}

/** CORS is on a wrapper of the served app (`application = CORSMiddleware(app, ...)`) that is not served. */
function wrapperFinding(
  command: ServeCommand,
  served: AsgiObject,
  objects: Map<string, Bound>,
): FindingDraft | undefined {
  const wrappers = [...new Set(objects.values())].filter(
    (o): o is AsgiObject => typeof o === 'object' && o.app === served.app && !!o.wrapper && !!o.cors,
  );
  const configured = wrappers.filter((o) => contains(o, served)).pop() ?? wrappers.pop();
  if (!configured?.cors) return undefined;
  const wrapsServed = contains(configured, served);
  const variable = served.app.variable;
  const addMiddleware = `${variable}.add_middleware(CORSMiddleware, ...)`;
  const summary =
    command.server === 'fastapi'
      ? `fastapi run serves FastAPI instances only: set CORS up on the app itself with ${addMiddleware} instead of wrapping it (or serve ${command.module}:${configured.name} with uvicorn).`
      : wrapsServed
        ? `Serve the object CORS is set up on: ${command.module}:${configured.name}. Or set CORS up on the app itself with ${addMiddleware} instead of wrapping it.`
        : `Make \`${served.name}\` (${served.file}:${served.line}) wrap \`${configured.name}\` instead of \`${served.inner?.name}\`, or set CORS up on the app itself with ${addMiddleware}.`;
  // `served` wraps an object that `configured` wraps too: wrapping `configured` instead keeps every layer.
  const rewrap =
    !wrapsServed && command.server !== 'fastapi' && served.inner && contains(configured, served.inner)
      ? wrapInstead(served, configured.name)
      : undefined;
  const edits = wrapsServed ? serveInstead(command, configured.name) : rewrap;
  const commandAt = { file: command.file, line: command.line };
  const configuredAt = { file: configured.file, line: configured.line };
  // The finding stands where its fix is written: the serve command's target, or the served wrapper.
  const place = rewrap
    ? { file: served.file, line: served.line, related: [commandAt, configuredAt] }
    : {
        ...(edits ? { file: command.file, line: command.target?.line ?? command.line } : commandAt),
        related: [configuredAt],
      };
  return {
    ...place,
    message: `${servedLine(command, served)} CORSMiddleware is set up on ${describe(configured)}, which this command does not serve: no response carries CORS headers.`,
    evidence: [
      `${command.file}:${command.line}: ${command.text}`,
      `served: ${command.module}:${command.attribute} is ${describe(served)}`,
      `configured: \`${configured.name}\` = ${configured.wrapper?.name}(${configured.inner?.name}, ...) at ${configured.file}:${configured.line} (CORSMiddleware at ${at(configured.cors)})`,
    ],
    fix: { summary, ...(edits && { edits }) },
  };
}

/** The bare app is served; CORSMiddleware only wraps it in another module (`main.py: x = CORSMiddleware(app)`). */
function elsewhereFinding(command: ServeCommand, served: AsgiObject, file: string): FindingDraft | undefined {
  if (served.wrapper) return undefined;
  const wrap = served.app.middleware.find(
    (m) => m.registration === 'wrap' && m.kind === 'cors' && m.source && m.source.file !== file,
  );
  if (!wrap?.source) return undefined;
  const where = at(wrap.source);
  return {
    file: command.file,
    line: command.line,
    message: `${servedLine(command, served)} CORSMiddleware is set up only around it in another module, ${wrap.name}(${served.app.variable}, ...) at ${where}, which this command does not serve: no response carries CORS headers.`,
    evidence: [
      `${command.file}:${command.line}: ${command.text}`,
      `served: ${command.module}:${command.attribute} is ${describe(served)}`,
      `configured: ${wrap.name}(${served.app.variable}, ...) at ${where}`,
    ],
    fix: {
      summary: `Serve the object made at ${where} (module ${wrap.source.file}, the name it is assigned to there), or set CORS up on the app itself with ${served.app.variable}.add_middleware(CORSMiddleware, ...).`,
    },
  };
}

/** CORS is only on a sub-app mounted in the served app, which has routes of its own. */
function mountFinding(
  command: ServeCommand,
  served: AsgiObject,
  apps: PythonApp[],
): FindingDraft | undefined {
  const parent = served.app;
  if (parent.routes.length === 0) return undefined;
  for (const mount of parent.mounts) {
    const sameFile = apps.filter((a) => a.variable === mount.target && a.source.file === mount.source.file);
    const named = apps.filter((a) => a.variable === mount.target);
    const sub = sameFile.length === 1 ? sameFile[0] : named.length === 1 ? named[0] : undefined;
    const cors = sub && corsEntries(sub)[0];
    if (!sub || !cors || sub === parent) continue;
    const corsAt = cors.source ?? sub.source;
    const routes = parent.routes.slice(0, 3).map((r) => `${r.methods.join('|')} ${r.path}`);
    const more = parent.routes.length > 3 ? ', ...' : '';
    const prefix = mount.path.replace(/\/+$/, '');
    const redirect = parent.redirectSlashes && prefix ? ` and the redirect from ${prefix} to ${prefix}/` : '';
    return {
      file: command.file,
      line: command.line,
      message: `${servedLine(command, served)} Only \`${sub.variable}\` has one (CORSMiddleware at ${at(corsAt)}), mounted at ${mount.path} (${at(mount.source)}): requests that reach it get CORS headers, but the ${parent.routes.length} route(s) of \`${parent.variable}\` itself (${routes.join(', ')}${more})${redirect} get none.`,
      evidence: [
        `${command.file}:${command.line}: ${command.text}`,
        `served: ${command.module}:${command.attribute} is ${describe(served)}, ${parent.routes.length} route(s), no CORSMiddleware`,
        `configured: the ${frameworkOf(sub)} app \`${sub.variable}\` (created at ${at(sub.source)}, CORSMiddleware at ${at(corsAt)}), mounted at ${mount.path} (${at(mount.source)})`,
      ],
      fix: {
        summary: `Set CORS up on the served app: ${parent.variable}.add_middleware(CORSMiddleware, ...) covers every path, the mounted \`${sub.variable}\` included (it then needs no CORSMiddleware of its own).`,
      },
    };
  }
  return undefined;
}

/** CORS is on another app of the same module, which is neither served nor mounted in the served one. */
function otherAppFinding(
  command: ServeCommand,
  served: AsgiObject,
  objects: Map<string, Bound>,
): FindingDraft | undefined {
  const mounted = new Set(served.app.mounts.map((m) => m.target));
  const other = [...new Set(objects.values())].find(
    (o): o is AsgiObject =>
      typeof o === 'object' && o.app !== served.app && !!o.cors && !mounted.has(o.app.variable),
  );
  if (!other?.cors) return undefined;
  // Serving the other app instead is the fix only when the served one has nothing of its own.
  const instead =
    served.app.routes.length === 0 && served.app.mounts.length === 0 && other.app.routes.length > 0;
  const edits = instead ? serveInstead(command, other.name) : undefined;
  return {
    file: command.file,
    line: edits ? (command.target?.line ?? command.line) : command.line,
    message: `${servedLine(command, served)} CORSMiddleware is set up on ${describe(other)} in the same module (CORSMiddleware at ${at(other.cors)}), which is neither served nor mounted: no response carries CORS headers.`,
    evidence: [
      `${command.file}:${command.line}: ${command.text}`,
      `served: ${command.module}:${command.attribute} is ${describe(served)}, ${served.app.routes.length} route(s)`,
      `configured: ${describe(other)}, ${other.app.routes.length} route(s), CORSMiddleware at ${at(other.cors)}`,
    ],
    fix: {
      summary: instead
        ? `Serve the app CORS is set up on: ${command.module}:${other.name}.`
        : `Set CORS up on the served app: ${served.app.variable}.add_middleware(CORSMiddleware, ...).`,
      ...(edits && { edits }),
    },
  };
}
