import type { SourceEdit } from '../../core/causes.js';
import { type Binding, moduleFile, type ServeCommand } from '../../project/serve-commands.js';
import { corsEntries } from '../../python/options.js';
import type { MiddlewareEntry, PythonApp, SourceRef } from '../../python/types.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const servedAppNotConfigured: CauseRule = {
  code: 'served-app-not-configured',
  severity: 'error',
  title: 'The server runs another ASGI object than the one CORSMiddleware was set up on.',
  scan: scanServedApp,
};

/** An ASGI object a module binds: an app, or a wrapper around one (`CORSMiddleware(app, ...)`). */
interface AsgiObject {
  /** The name the module binds it to. */
  name: string;
  file: string;
  line: number;
  /** The app at its core. */
  app: PythonApp;
  /** For a wrapper: its stack entry, and the object it wraps. */
  wrapper?: MiddlewareEntry;
  inner?: AsgiObject;
  /** Where CORSMiddleware is set up inside it, when it is. */
  cors?: SourceRef;
}

/** What a name of the module is: an object we can follow, or something else (an import, a call we cannot model). */
type Bound = AsgiObject | 'imported' | 'unknown';

/** Where the app's own CORSMiddleware is set up (add_middleware, middleware=[...]), not a wrapper's. */
function ownCors(app: PythonApp): SourceRef | undefined {
  const entry = corsEntries(app).find((m) => m.registration !== 'wrap');
  return entry ? (entry.source ?? app.source) : undefined;
}

const appObject = (app: PythonApp, name = app.variable): AsgiObject => {
  const o: AsgiObject = { name, file: app.source.file, line: app.source.line, app };
  const cors = ownCors(app);
  if (cors) o.cors = cors;
  return o;
};

/** The wrappers (`x = Wrapper(app, ...)`) written in `file`, with the app each wraps. */
function wrapsIn(project: ScanContext['project'], file: string) {
  return project.apps.flatMap((app) =>
    app.middleware
      .filter((m) => m.registration === 'wrap' && m.source?.file === file)
      .map((entry) => ({ app, entry, line: (entry.source as SourceRef).line })),
  );
}

/**
 * The ASGI objects the module `file` binds, by name, as they stand once it is imported; none when its
 * bindings cannot be followed (a wrapper whose assignment is not known, or not at the top level).
 */
function moduleObjects(
  project: ScanContext['project'],
  file: string,
  bindings: Binding[] | undefined,
): Map<string, Bound> | undefined {
  const apps = project.apps.filter((a) => a.source.file === file);
  const wraps = wrapsIn(project, file);
  const names = new Map<string, Bound>();
  if (!bindings) {
    // Without the module's bindings only its apps are known, and no wrapper can be told apart.
    if (wraps.length > 0) return undefined;
    for (const app of apps) names.set(app.variable, appObject(app));
    return names;
  }
  const matched = new Set<unknown>();
  for (const b of bindings) {
    const wrap = b.kind === 'call' ? wraps.find((w) => w.line === b.line) : undefined;
    if (!b.topLevel) {
      if (wrap) return undefined; // a wrapper inside a function or a block: not followed
      continue;
    }
    if (b.kind === 'import') names.set(b.name, 'imported');
    else if (b.kind === 'alias') names.set(b.name, names.get(b.value as string) ?? 'unknown');
    else if (b.kind === 'other') names.set(b.name, 'unknown');
    else {
      const app = apps.find((a) => a.source.line === b.line && a.variable === b.name);
      if (app) names.set(b.name, appObject(app));
      else if (wrap) {
        matched.add(wrap.entry);
        const args = (b.arguments ?? []).map((a) => a.replace(/^\w+=/, ''));
        const known = args.find((a) => {
          const o = names.get(a);
          return typeof o === 'object' && o.app === wrap.app;
        });
        const arg = known ?? args.find((a) => a === wrap.app.variable || names.get(a) === 'imported');
        if (!arg) return undefined;
        const bound = names.get(arg);
        const inner = typeof bound === 'object' ? bound : appObject(wrap.app, arg);
        // An imported name the reader saw wrapped is that app (`from app.factory import app`).
        if (bound === 'imported') names.set(arg, inner);
        const o: AsgiObject = { name: b.name, file, line: b.line, app: wrap.app, wrapper: wrap.entry, inner };
        const cors = wrap.entry.kind === 'cors' ? wrap.entry.source : inner.cors;
        if (cors) o.cors = cors;
        names.set(b.name, o);
      } else names.set(b.name, 'unknown');
    }
  }
  return wraps.every((w) => matched.has(w.entry)) ? names : undefined;
}

/** The files the project's apps and wrappers are written in: where a served module can be. */
function knownFiles(project: ScanContext['project']): string[] {
  const files = new Set<string>();
  for (const app of project.apps) {
    files.add(app.source.file);
    for (const m of app.middleware) if (m.registration === 'wrap' && m.source) files.add(m.source.file);
  }
  return [...files];
}

const at = (r: SourceRef): string => `${r.file}:${r.line}`;
const frameworkOf = (app: PythonApp): string => (app.framework === 'fastapi' ? 'FastAPI' : 'Starlette');

function describe(o: AsgiObject): string {
  if (o.wrapper)
    return `\`${o.name}\`, a ${o.wrapper.name} around \`${o.inner?.name}\` (${o.file}:${o.line})`;
  return `the ${frameworkOf(o.app)} app \`${o.name}\` (created at ${at(o.app.source)})`;
}

function contains(outer: AsgiObject, inner: AsgiObject): boolean {
  for (let o: AsgiObject | undefined = outer; o; o = o.inner) if (o === inner) return true;
  return false;
}

/** A `replace-text` edit that serves `name` instead, when the command names its object in one literal. */
function serveInstead(command: ServeCommand, name: string): SourceEdit[] | undefined {
  const t = command.target;
  if (!t || command.factory || command.server === 'fastapi' || !t.text.endsWith(command.attribute))
    return undefined;
  const to = `${t.text.slice(0, t.text.length - command.attribute.length)}${name}`;
  return [{ kind: 'replace-text', file: command.file, line: t.line, from: t.text, to }];
}

function scanServedApp({ project, app }: ScanContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  const seen = new Set<string>();
  for (const command of project.serveCommands ?? []) {
    if (command.factory) continue; // what a factory returns is not followed
    const key = `${command.file}:${command.line}:${command.module}:${command.attribute}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = command.resolved?.file ?? moduleFile(command, knownFiles(project));
    if (!file) continue;
    const objects = moduleObjects(project, file, command.resolved?.bindings);
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
  const edits = wrapsServed ? serveInstead(command, configured.name) : undefined;
  return {
    file: command.file,
    line: command.line,
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
    line: command.line,
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
