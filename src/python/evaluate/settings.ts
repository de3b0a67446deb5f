// Pydantic settings classes: BaseSettings flavour, Config / model_config (env_prefix, env_file, case_sensitive), fields read from the environment, validators.
import type { Node } from 'web-tree-sitter';
import { type Binding, collectBindings, type ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import type { EnvSource, PyValue, ResolvedValue, SourceRef } from '../types.js';
import { factoryValue } from './dataclasses.js';
import { type EnvHit, settingsEnvHit } from './environment.js';
import type { Evaluator } from './evaluator.js';
import { analyseAnnotation, coerce } from './field-types.js';
import { type Obj, type Scope, withVia } from './objects.js';
import { callArgs, className, last, paramList } from './syntax.js';
import { itemsAt, jsonToPy, pyRepr, short } from './values.js';

export function settingsFlavour(ev: Evaluator, mod: ModuleInfo, cls: Node): 'v1' | 'v2' | undefined {
  for (const q of ev.externalBases(mod, cls)) {
    if (
      q === 'pydantic.BaseSettings' ||
      q === 'pydantic.v1.BaseSettings' ||
      q === 'pydantic.env_settings.BaseSettings'
    )
      return 'v1';
    if (q.startsWith('pydantic_settings.')) return 'v2';
  }
  return undefined;
}

export function settingsField(
  ev: Evaluator,
  inst: Extract<Obj, { t: 'instance' }>,
  attr: string,
  node: Node,
  scope: Scope,
  flavour: 'v1' | 'v2',
  found: { b: Binding; mod: ModuleInfo; cls: Node } | undefined,
): Obj {
  const clsName = className(inst.node);
  if (!found || (found.b.kind !== 'assign' && found.b.kind !== 'annotation')) {
    return ev.unknown(node, scope, `${attr} is not a field of ${clsName}`);
  }
  const fmod = found.mod;
  const fieldNode = found.b.node;
  const fieldStep = `${clsName}.${attr} field at ${fmod.rel}:${lineOf(fieldNode)}`;
  const annotation = found.b.kind === 'assign' ? found.b.annotation : found.b.annotation;
  const config = settingsConfig(ev, inst.mod, inst.node, flavour);
  // Default and Field(...) options.
  let defaultNode: Node | undefined;
  let defaultFactory: Node | undefined;
  let envName = `${config.prefix}${attr}`;
  let fieldHasAlias = false;
  if (found.b.kind === 'assign') {
    const value = found.b.value;
    const callee =
      value.type === 'call'
        ? ev.evaluate(value.childForFieldName('function') as Node, { mod: fmod })
        : undefined;
    if (
      callee?.t === 'ext' &&
      (callee.qname === 'pydantic.Field' || callee.qname === 'pydantic.fields.Field')
    ) {
      const args = callArgs(value);
      const first = args.positional[0];
      defaultNode = args.keywords.get('default') ?? (first && first.type !== 'ellipsis' ? first : undefined);
      defaultFactory = args.keywords.get('default_factory');
      const aliasNode =
        args.keywords.get(flavour === 'v1' ? 'env' : 'validation_alias') ?? args.keywords.get('alias');
      if (aliasNode) {
        const a = ev.evaluate(aliasNode, { mod: fmod });
        if (a.t === 'val' && a.rv.value.kind === 'str') {
          envName = a.rv.value.value;
          fieldHasAlias = true;
        } else
          return ev.unknown(
            node,
            scope,
            `the env name of ${clsName}.${attr} (${short(aliasNode.text)}) cannot be resolved`,
          );
      }
    } else defaultNode = value;
  }
  // Constructor keyword arguments win.
  const kw = inst.call ? callArgs(inst.call).keywords.get(attr) : undefined;
  if (kw && inst.callScope)
    return withVia(
      ev.evaluate(kw, inst.callScope),
      `${clsName}(${attr}=...) at ${inst.callScope.mod.rel}:${lineOf(kw)}`,
    );
  const ci = !config.caseSensitive;
  // Looked up case-insensitively: shown the way environment variables are written.
  if (ci) envName = envName.toUpperCase();
  const ann = analyseAnnotation(annotation?.text ?? '', (n) => ev.evaluate(n, { mod: fmod }), annotation);
  const decoding = ann.noDecode || config.enableDecoding === false ? false : ann.complex;
  const readAt = { file: fmod.rel, line: lineOf(fieldNode) };
  const field: FieldReading = { clsName, attr, fieldStep, flavour, ci, ann, decoding, fmod, inst, readAt };
  // Real environment first, then the settings' env_file (later files win), then a .env near the code.
  const foundHit = settingsEnvHit(ev.env, envName, inst.mod, config.envFiles, ci);
  // env_ignore_empty (pydantic-settings): a variable set to the empty string counts as not set.
  const ignored = foundHit && config.ignoreEmpty && foundHit.value === '' ? foundHit : undefined;
  const hit = ignored ? undefined : foundHit;
  if (hit) return fromEnv(ev, field, envName, hit, node, scope);
  const env: EnvSource = {
    name: envName,
    defaultUsed: true,
    readAt,
    decoding: decoding ? 'json' : 'string',
    ...(ignored && { emptyAt: ignored.source }),
  };
  const notSet = ignored
    ? `${envName} is empty (${ignored.label}) and env_ignore_empty is set`
    : `${envName} not set`;
  const near = nearName(ev, field, envName, config, fieldHasAlias);
  if (near) {
    const would = fromEnv(ev, field, envName, near.hit, node, scope);
    env.setUnder = {
      name: near.name,
      source: near.hit.source,
      text: near.hit.value,
      why: near.why,
      ...(would.t === 'val' && { wouldBe: would.rv }),
    };
  }
  if (defaultNode) {
    const d = ev.evaluate(defaultNode, { mod: fmod, cls: found.cls });
    return d.t === 'val'
      ? {
          t: 'val',
          rv: withItemsEnv({ ...d.rv, env, via: [fieldStep, `${notSet}: default used`, ...d.rv.via] }, env),
        }
      : d;
  }
  if (defaultFactory) {
    const made = factoryValue(ev, defaultFactory, fmod, node, scope);
    if (made?.t === 'val')
      return {
        t: 'val',
        rv: withItemsEnv(
          {
            ...made.rv,
            env,
            via: [fieldStep, `${notSet}: default_factory used`, ...made.rv.via],
          },
          env,
        ),
      };
    if (made) return made;
    return ev.unknown(node, scope, `${clsName}.${attr} uses default_factory ${short(defaultFactory.text)}`);
  }
  if (annotation && /\bOptional\b|\|\s*None\b|\bNone\s*\|/.test(annotation.text)) {
    return ev.val({ kind: 'none' }, fieldNode, { mod: fmod }, [fieldStep, `${notSet}: None`], env);
  }
  return ev.unknown(
    node,
    scope,
    `${clsName}.${attr} is required and ${envName} is not set in any .env or compose file (pydantic raises a ValidationError)`,
  );
}

/** What reading one settings field needs besides the variable's text. */
interface FieldReading {
  clsName: string;
  attr: string;
  fieldStep: string;
  flavour: 'v1' | 'v2';
  ci: boolean;
  ann: ReturnType<typeof analyseAnnotation>;
  decoding: boolean;
  fmod: ModuleInfo;
  inst: Extract<Obj, { t: 'instance' }>;
  readAt: SourceRef;
}

/** The default's items depend on the environment as much as the default does (nothing to patch in them). */
function withItemsEnv(rv: ResolvedValue, env: EnvSource): ResolvedValue {
  const v = rv.value;
  if (v.kind !== 'list' && v.kind !== 'tuple' && v.kind !== 'set') return rv;
  return { ...rv, value: { ...v, items: v.items.map((i) => (i.env ? i : { ...i, env })) } };
}

/**
 * A variable that is set while the field's own is not, and that was most likely meant for it: the field's
 * name without the settings' `env_prefix` (or with it, when an alias drops the prefix), or the same name in
 * another case when the settings are case-sensitive.
 */
function nearName(
  ev: Evaluator,
  field: FieldReading,
  envName: string,
  config: ReturnType<typeof settingsConfig>,
  hasAlias: boolean,
): { name: string; hit: EnvHit; why: string } | undefined {
  const shown = (n: string) => (field.ci ? n.toUpperCase() : n);
  const candidates: Array<{ name: string; ci: boolean; why: string }> = [];
  if (config.prefix && !hasAlias)
    candidates.push({
      name: shown(field.attr),
      ci: field.ci,
      why: `${field.clsName} reads ${envName} (env_prefix ${pyRepr(config.prefix)} goes before the field name)`,
    });
  if (hasAlias) {
    for (const n of new Set([shown(`${config.prefix}${field.attr}`), shown(field.attr)]))
      candidates.push({
        name: n,
        ci: field.ci,
        why: `${field.clsName}.${field.attr} reads ${envName} (its alias), not ${n}`,
      });
  }
  if (!field.ci)
    candidates.push({
      name: envName,
      ci: true,
      why: `${field.clsName} reads ${envName} (case_sensitive is set: the name must be written exactly so)`,
    });
  for (const c of candidates) {
    if (c.name === envName && !c.ci) continue;
    const hit = settingsEnvHit(ev.env, c.name, field.inst.mod, config.envFiles, c.ci);
    // The name as the file writes it: the word before ` at FILE:LINE` in the hit's label.
    const written = / (\S+) at \S+:\d+/.exec(hit?.label ?? '')?.[1];
    if (hit)
      return { name: written?.toUpperCase() === c.name.toUpperCase() ? written : c.name, hit, why: c.why };
  }
  return undefined;
}

/** The field's value when its variable has the text `hit` gives: JSON decoding, validators, coercion. */
function fromEnv(
  ev: Evaluator,
  field: FieldReading,
  envName: string,
  hit: EnvHit,
  node: Node,
  scope: Scope,
): Obj {
  const { attr, fieldStep, flavour, ci, ann, decoding, fmod, inst, readAt } = field;
  const env: EnvSource = {
    name: envName,
    valueFrom: hit.source,
    defaultUsed: false,
    readAt,
    decoding: decoding ? 'json' : 'string',
  };
  const via = [fieldStep, hit.label];
  let value: PyValue = { kind: 'str', value: hit.value };
  const at = hit.source;
  if (decoding) {
    let data: unknown;
    let ok = true;
    try {
      data = JSON.parse(hit.value);
    } catch {
      ok = false;
    }
    if (ok) {
      value = jsonToPy(data, at, hit.value, []);
      via.push(`JSON-decoded (${ann.typeText} field)`);
    } else if (flavour === 'v2' && ann.unionWithStr) {
      via.push(`not JSON; kept as a string (${ann.typeText} allows str)`);
    } else if (flavour === 'v1' && ann.complexInUnion) {
      // pydantic v1 `field_is_complex`: a Union with a complex member sets allow_parse_failure.
      via.push(`not JSON; kept as a string (pydantic v1 lets a Union field's JSON decoding fail)`);
    } else {
      return ev.unknown(
        node,
        scope,
        flavour === 'v1'
          ? `pydantic v1 raises SettingsError: error parsing env var "${ci ? envName.toLowerCase() : envName}" — ${ann.typeText} fields are JSON-decoded and ${pyRepr(hit.value)} (${hit.label}) is not JSON`
          : `pydantic-settings raises SettingsError: error parsing value for field "${attr}" from source "EnvSettingsSource" — ${ann.typeText} fields are JSON-decoded and ${pyRepr(hit.value)} (${hit.label}) is not JSON`,
      );
    }
  }
  // The text stays tied to its variable through the validators (a comma list split there stays at its line).
  let cur: Obj = {
    t: 'val',
    rv: itemsAt(
      { value, source: at, expression: hit.value, via: [], ...(value.kind === 'str' && { env }) },
      at,
    ),
  };
  // Before-validators (pre=True / mode="before" / BeforeValidator).
  for (const v of [
    ...ann.beforeValidators.map((n) => ({ fn: ev.evaluate(n, { mod: fmod }), label: n.text })),
    ...fieldValidators(ev, inst, attr, flavour, 'before'),
  ]) {
    cur = runValidator(ev, v.fn, v.label, cur, node, scope);
    if (cur.t !== 'val') return cur;
    via.push(
      `validator ${v.label}`,
      ...cur.rv.via.filter((s) => !s.startsWith(v.label.split(' ')[0] as string)),
    );
    cur = { t: 'val', rv: { ...cur.rv, via: [] } };
  }
  // Type coercion.
  cur = coerce(ev, cur, ann, flavour, node, scope, via);
  if (cur.t !== 'val') return cur;
  for (const v of fieldValidators(ev, inst, attr, flavour, 'after')) {
    cur = runValidator(ev, v.fn, v.label, cur, node, scope);
    if (cur.t !== 'val') return cur;
    via.push(
      `validator ${v.label}`,
      ...cur.rv.via.filter((s) => !s.startsWith(v.label.split(' ')[0] as string)),
    );
    cur = { t: 'val', rv: { ...cur.rv, via: [] } };
  }
  return {
    t: 'val',
    rv: { ...cur.rv, source: at, expression: hit.value, via: [...via, ...cur.rv.via], env },
  };
}

function runValidator(ev: Evaluator, fn: Obj, label: string, input: Obj, node: Node, scope: Scope): Obj {
  if (fn.t !== 'func')
    return ev.unknown(node, scope, `the validator ${label} cannot be evaluated statically`);
  const params = paramList(fn.node).filter((p) => p.name !== 'cls' && p.name !== 'self');
  const first = params[0];
  if (!first) return ev.unknown(node, scope, `the validator ${label} takes no value`);
  const out = ev.callFunction(
    { ...fn, self: undefined },
    [],
    new Map([[first.name, input]]),
    node,
    scope,
    true,
  );
  if (out.t === 'unknown')
    return ev.unknown(
      node,
      scope,
      `the validator ${label} at ${fn.mod.rel}:${lineOf(fn.node)} cannot be evaluated statically (${out.reason})`,
    );
  return out;
}

function fieldValidators(
  ev: Evaluator,
  inst: Extract<Obj, { t: 'instance' }>,
  field: string,
  flavour: 'v1' | 'v2',
  when: 'before' | 'after',
): Array<{ fn: Obj; label: string }> {
  const out: Array<{ fn: Obj; label: string }> = [];
  const visit = (mod: ModuleInfo, cls: Node, seen: Set<number>) => {
    if (seen.has(cls.id)) return;
    seen.add(cls.id);
    for (const base of ev.classBases(mod, cls)) if (base.t === 'class') visit(base.mod, base.node, seen);
    const body = cls.childForFieldName('body');
    for (const stmt of body?.namedChildren ?? []) {
      if (stmt.type !== 'decorated_definition') continue;
      const def = stmt.childForFieldName('definition');
      if (def?.type !== 'function_definition') continue;
      for (const dec of stmt.namedChildren.filter((c) => c.type === 'decorator')) {
        const call = dec.namedChildren[0];
        if (call?.type !== 'call') continue;
        const fname = call.childForFieldName('function')?.text ?? '';
        const last = fname.split('.').pop();
        if (last !== 'validator' && last !== 'field_validator') continue;
        const args = callArgs(call);
        const names = args.positional
          .map((p) => ev.evaluate(p, { mod }))
          .map((o) => (o.t === 'val' && o.rv.value.kind === 'str' ? o.rv.value.value : undefined));
        if (!names.includes(field) && !names.includes('*')) continue;
        const modeNode = args.keywords.get('mode');
        const preNode = args.keywords.get('pre');
        let isBefore: boolean;
        if (last === 'validator') isBefore = preNode?.text === 'True';
        else isBefore = modeNode ? /["'](before|plain|wrap)["']/.test(modeNode.text) : false;
        if (isBefore !== (when === 'before')) continue;
        out.push({
          fn: { t: 'func', mod, node: def },
          label: `${def.childForFieldName('name')?.text ?? '?'} at ${mod.rel}:${lineOf(def)}`,
        });
      }
    }
  };
  visit(inst.mod, inst.node, new Set());
  void flavour;
  return out;
}

/** What the settings' configuration says about reading the environment. */
interface SettingsConfig {
  prefix: string;
  caseSensitive: boolean;
  envFiles: string[];
  enableDecoding?: boolean;
  /** pydantic-settings `env_ignore_empty`: an empty variable is not set. */
  ignoreEmpty: boolean;
}

function settingsConfig(ev: Evaluator, mod: ModuleInfo, cls: Node, flavour: 'v1' | 'v2'): SettingsConfig {
  const out: SettingsConfig = { prefix: '', caseSensitive: false, envFiles: [], ignoreEmpty: false };
  const apply = (key: string, node: Node, scope: Scope) => {
    const v = ev.evaluate(node, scope);
    if (v.t !== 'val') return;
    const p = v.rv.value;
    if (key === 'env_prefix' && p.kind === 'str') out.prefix = p.value;
    if (key === 'case_sensitive' && p.kind === 'bool') out.caseSensitive = p.value;
    if (key === 'enable_decoding' && p.kind === 'bool') out.enableDecoding = p.value;
    if (key === 'env_ignore_empty' && p.kind === 'bool') out.ignoreEmpty = flavour === 'v2' && p.value;
    if (key === 'env_file') {
      if (p.kind === 'str') out.envFiles = [p.value];
      else if (p.kind === 'list' || p.kind === 'tuple')
        out.envFiles = p.items.flatMap((i) => (i.value.kind === 'str' ? [i.value.value] : []));
      else if (p.kind === 'none') out.envFiles = [];
    }
  };
  const chain: Array<{ mod: ModuleInfo; cls: Node }> = [];
  const visit = (m: ModuleInfo, c: Node, seen: Set<number>) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    for (const base of ev.classBases(m, c)) if (base.t === 'class') visit(base.mod, base.node, seen);
    chain.push({ mod: m, cls: c });
  };
  visit(mod, cls, new Set());
  for (const { mod: m, cls: c } of chain) {
    const body = c.childForFieldName('body');
    if (!body) continue;
    const bindings = collectBindings(body);
    if (flavour === 'v1') {
      const config = last(bindings.get('Config'));
      if (config?.kind === 'class') {
        const cb = collectBindings(config.node.childForFieldName('body') as Node);
        for (const key of ['env_prefix', 'case_sensitive', 'env_file']) {
          const b = last(cb.get(key));
          if (b?.kind === 'assign') apply(key, b.value, { mod: m, cls: config.node });
        }
      }
    }
    const mc = last(bindings.get('model_config'));
    if (mc?.kind === 'assign') {
      const d = ev.evaluate(mc.value, { mod: m, cls: c });
      const entries =
        d.t === 'dict'
          ? ev.dictEntries(d)
          : d.t === 'extcall' || mc.value.type === 'call'
            ? callArgs(mc.value).keywords
            : undefined;
      for (const [k, n] of entries ?? []) apply(k, n, { mod: m, cls: c });
    }
  }
  return out;
}
