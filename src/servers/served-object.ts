/**
 * The ASGI object a module binds under a name, as uvicorn imports it (`main:application`): an app, or a
 * chain of wrappers around one (`application = CORSMiddleware(app, ...)`). What is served is that object:
 * the wrappers in its chain, outside the app's own stack, and no other wrapper of the same app. Pure: the
 * module's bindings come from the project reader.
 */
import { corsEntries } from '../python/options.js';
import type { MiddlewareEntry, PythonApp, SourceRef } from '../python/types.js';

/** A name a module binds (the project reader's module bindings, as far as they are read here). */
export interface ModuleBinding {
  name: string;
  line: number;
  topLevel: boolean;
  kind: 'call' | 'alias' | 'import' | 'other';
  /** For `call`: arguments that are plain names (`app`, `other_asgi_app=app`). */
  arguments?: string[];
  /** For `alias`: the name assigned. */
  value?: string;
}

/** An ASGI object a module binds: an app, or a wrapper around one (`CORSMiddleware(app, ...)`). */
export interface AsgiObject {
  /** The name the module binds it to. */
  name: string;
  file: string;
  line: number;
  /** The app at its core. */
  app: PythonApp;
  /** For a wrapper: its stack entry, and the object it wraps. */
  wrapper?: MiddlewareEntry;
  inner?: AsgiObject;
  /** The argument that names the wrapped object, as the binding lists it (`app`, `other_asgi_app=app`). */
  argument?: string;
  /** Where CORSMiddleware is set up inside it, when it is. */
  cors?: SourceRef;
}

/** What a name of the module is: an object we can follow, or something else (an import, a call we cannot model). */
export type Bound = AsgiObject | 'imported' | 'unknown';

/** Where the app's own CORSMiddleware is set up (add_middleware, middleware=[...]), not a wrapper's. */
function ownCors(app: PythonApp): SourceRef | undefined {
  const entry = corsEntries(app).find((m) => m.registration !== 'wrap');
  return entry ? (entry.source ?? app.source) : undefined;
}

export function appObject(app: PythonApp, name = app.variable): AsgiObject {
  const o: AsgiObject = { name, file: app.source.file, line: app.source.line, app };
  const cors = ownCors(app);
  if (cors) o.cors = cors;
  return o;
}

/** The wrappers (`x = Wrapper(app, ...)`) written in `file`, with the app each wraps. */
function wrapsIn(apps: PythonApp[], file: string) {
  return apps.flatMap((app) =>
    app.middleware
      .filter((m) => m.registration === 'wrap' && m.source?.file === file)
      .map((entry) => ({ app, entry, line: (entry.source as SourceRef).line })),
  );
}

/**
 * The ASGI objects the module `file` binds, by name, as they stand once it is imported; none when its
 * bindings cannot be followed (a wrapper whose assignment is not known, or not at the top level).
 */
export function moduleObjects(
  apps: PythonApp[],
  file: string,
  bindings: ModuleBinding[] | undefined,
): Map<string, Bound> | undefined {
  const inFile = apps.filter((a) => a.source.file === file);
  const wraps = wrapsIn(apps, file);
  const names = new Map<string, Bound>();
  if (!bindings) {
    // Without the module's bindings only its apps are known, and no wrapper can be told apart.
    if (wraps.length > 0) return undefined;
    for (const app of inFile) names.set(app.variable, appObject(app));
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
      const app = inFile.find((a) => a.source.line === b.line && a.variable === b.name);
      if (app) names.set(b.name, appObject(app));
      else if (wrap) {
        matched.add(wrap.entry);
        const args = b.arguments ?? [];
        const named = (a: string) => a.replace(/^\w+=/, '');
        const known = args.find((a) => {
          const o = names.get(named(a));
          return typeof o === 'object' && o.app === wrap.app;
        });
        const arg =
          known ?? args.find((a) => named(a) === wrap.app.variable || names.get(named(a)) === 'imported');
        if (!arg) return undefined;
        const bound = names.get(named(arg));
        const inner = typeof bound === 'object' ? bound : appObject(wrap.app, named(arg));
        // An imported name the reader saw wrapped is that app (`from app.factory import app`).
        if (bound === 'imported') names.set(named(arg), inner);
        const o: AsgiObject = {
          name: b.name,
          file,
          line: b.line,
          app: wrap.app,
          wrapper: wrap.entry,
          inner,
          argument: arg,
        };
        const cors = wrap.entry.kind === 'cors' ? wrap.entry.source : inner.cors;
        if (cors) o.cors = cors;
        names.set(b.name, o);
      } else names.set(b.name, 'unknown');
    }
  }
  return wraps.every((w) => matched.has(w.entry)) ? names : undefined;
}

/** The files the apps and their wrappers are written in: where a served module can be. */
export function knownFiles(apps: PythonApp[]): string[] {
  const files = new Set<string>();
  for (const app of apps) {
    files.add(app.source.file);
    for (const m of app.middleware) if (m.registration === 'wrap' && m.source) files.add(m.source.file);
  }
  return [...files];
}

/** Whether `inner` is `outer` or one of the objects it wraps. */
export function contains(outer: AsgiObject, inner: AsgiObject): boolean {
  for (let o: AsgiObject | undefined = outer; o; o = o.inner) if (o === inner) return true;
  return false;
}

/**
 * The app as the object serves it: the wrappers of its chain (outermost first) outside the app's own
 * stack; the app's other wrappers, which this object does not pass through, are left out.
 */
export function servedApp(o: AsgiObject): PythonApp {
  const chain: MiddlewareEntry[] = [];
  for (let x: AsgiObject | undefined = o; x; x = x.inner) if (x.wrapper) chain.push(x.wrapper);
  const own = o.app.middleware.filter((m) => m.registration !== 'wrap');
  return { ...o.app, middleware: [...chain, ...own] };
}
