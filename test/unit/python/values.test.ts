import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPythonProject } from '../../../src/python/read-project.js';
import type { ResolvedValue } from '../../../src/python/types.js';
import { cors, plain } from './helpers.js';

let tmp: string;
let counter = 0;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cors-doctor-values-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function origins(expr: string, prelude = '', dotenv?: string): Promise<ResolvedValue | undefined> {
  const dir = join(tmp, `p${counter++}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.py'),
    `import os\nimport json\nfrom fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n${prelude}\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=${expr})\n`,
  );
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  const p = await readPythonProject(dir);
  return cors(p.apps[0] as NonNullable<(typeof p.apps)[number]>).options?.allow_origins;
}

describe('Python value semantics', () => {
  it.each([
    // literals
    ['["a", "b"]', '', undefined, ['a', 'b']],
    ['("a",)', '', undefined, ['a']],
    ['{"a", "a", "b"}', '', undefined, ['a', 'b']],
    ['"a" "b"', '', undefined, 'ab'],
    ["'\\x41\\n'", '', undefined, 'A\n'],
    ["r'\\d+'", '', undefined, '\\d+'],
    // escapes Python refuses (found by fuzzing: reading them threw "Invalid code point NaN")
    [
      '"https://e\\xample.com"',
      '',
      undefined,
      { unresolved: 'an escape Python refuses (a \\x, \\u or \\U without its hex digits, or past U+10FFFF)' },
    ],
    [
      '["\\U00110000"]',
      '',
      undefined,
      [
        {
          unresolved: 'an escape Python refuses (a \\x, \\u or \\U without its hex digits, or past U+10FFFF)',
        },
      ],
    ],
    ['"\\\\xample"', '', undefined, '\\xample'],
    ['None', '', undefined, null],
    ['ORIGINS', 'ORIGINS = ["http://x"],', undefined, [['http://x']]], // trailing comma: a tuple holding a list
    // concatenation, splats, f-strings
    ['A + B', 'A = ["a"]\nB = ["b"]', undefined, ['a', 'b']],
    ['[*A, "c"]', 'A = ("a", "b")', undefined, ['a', 'b', 'c']],
    ['[f"http://{HOST}:{PORT}"]', 'HOST = "h"\nPORT = 3000', undefined, ['http://h:3000']],
    // str.split: exact Python semantics
    ['"a, b".split(",")', '', undefined, ['a', ' b']],
    ['"".split(",")', '', undefined, ['']],
    ['"a,,b,".split(",")', '', undefined, ['a', '', 'b', '']],
    ['"  a  b ".split()', '', undefined, ['a', 'b']],
    ['"".split()', '', undefined, []],
    ['"a,b,c".split(",", 1)', '', undefined, ['a', 'b,c']],
    ['[o.strip() for o in "a, b ,c".split(",")]', '', undefined, ['a', 'b', 'c']],
    ['[o.strip() for o in "a, ,b".split(",") if o.strip()]', '', undefined, ['a', 'b']],
    ['["x/".rstrip("/"), "/y/".strip("/")]', '', undefined, ['x', 'y']],
    ['",".join(["a", "b"]).split(",")', '', undefined, ['a', 'b']],
    ['json.loads(\'["a", "b"]\')', '', undefined, ['a', 'b']],
    // os.getenv
    ['os.getenv("O", "d").split(",")', '', 'O=a, b\n', ['a', ' b']],
    ['os.getenv("O", "d").split(",")', '', '', ['d']],
    ['os.getenv("O", "").split(",")', '', undefined, ['']],
    ['os.getenv("O")', '', undefined, null],
    ['os.getenv("O") or ["fallback"]', '', undefined, ['fallback']],
    ['os.environ.get("O", "x") if True else []', '', 'O="q, r"\n', 'q, r'],
    ['os.getenv("O", "a").split(",")', '', "export O='l1,l2'  \n", ['l1', 'l2']],
    ['os.getenv("O", "a").split(",")', '', 'O=l1,l2 # comment\n', ['l1', 'l2']],
    // function calls and classes
    ['get_origins()', 'def get_origins():\n    return ["a"]', undefined, ['a']],
    ['Config.ORIGINS', 'class Config:\n    ORIGINS = ["a"]', undefined, ['a']],
    [
      'Config().origins',
      'class Config:\n    def __init__(self):\n        self.origins = ["b"]',
      undefined,
      ['b'],
    ],
    // a local list built step by step in a function
    [
      'origins()',
      'def origins():\n    out = ["a"]\n    out.append("b")\n    out.extend(("c", "d"))\n    out += ["e"]\n    return out',
      undefined,
      ['a', 'b', 'c', 'd', 'e'],
    ],
    [
      'Config().cors_origins',
      'class Config:\n    ENV = os.environ.get("ENV", "local")\n    @property\n    def cors_origins(self):\n        origins = ["http://a"]\n        if self.ENV == "local":\n            origins.append("http://127.0.0.1:3000")\n        return origins',
      undefined,
      ['http://a', 'http://127.0.0.1:3000'],
    ],
    [
      'Config().cors_origins',
      'class Config:\n    ENV = os.environ.get("ENV", "local")\n    @property\n    def cors_origins(self):\n        origins = ["http://a"]\n        if self.ENV == "local":\n            origins.append("http://127.0.0.1:3000")\n        return origins',
      'ENV=production\n',
      ['http://a'],
    ],
    // pydantic settings: default_factory when the variable is set nowhere
    [
      'Settings().cors_origins',
      'from pydantic import BaseSettings, Field\nclass Settings(BaseSettings):\n    cors_origins: list = Field(default_factory=list)',
      undefined,
      [],
    ],
    [
      'Settings().cors_origins',
      'from pydantic import BaseSettings, Field\nclass Settings(BaseSettings):\n    cors_origins: list = Field(default_factory=lambda: ["http://a"])',
      undefined,
      ['http://a'],
    ],
    // dataclasses: the constructor's keyword, else the default, default= or default_factory=
    [
      'Settings().origins',
      'from dataclasses import dataclass, field\n@dataclass(frozen=True)\nclass Settings:\n    origins: list = field(default_factory=lambda: ["a", "b"])',
      undefined,
      ['a', 'b'],
    ],
    [
      'Settings(origins=["k"]).origins',
      'from dataclasses import dataclass, field\n@dataclass\nclass Settings:\n    origins: list = field(default_factory=list)',
      undefined,
      ['k'],
    ],
    [
      'Settings().origins',
      'import dataclasses\ndef dev():\n    return ["d"]\n@dataclasses.dataclass\nclass Settings:\n    origins: list = dataclasses.field(default_factory=dev)',
      undefined,
      ['d'],
    ],
    [
      'S().origin.split(",")',
      'from dataclasses import dataclass, field\n@dataclass\nclass S:\n    origin: str = field(default=os.getenv("O", "x"))',
      'O=p,q\n',
      ['p', 'q'],
    ],
    [
      'S().origins',
      'from dataclasses import dataclass\n@dataclass\nclass S:\n    origins: tuple = ("t",)',
      undefined,
      ['t'],
    ],
  ] as const)('%s (%s) with .env %j', async (expr, prelude, dotenv, expected) => {
    expect(plain(await origins(expr, prelude, dotenv))).toEqual(expected);
  });

  it.each([
    ['os.environ["O"]', '', 'O is not set in any .env or compose file (os.environ["O"] raises KeyError)'],
    ['ORIGINS', 'ORIGINS = load()', 'load is not defined in main.py'],
    ['origins_from_db()', 'from db import origins_from_db', 'not a literal value (a origins_from_db object)'],
    ['[o for o in X]', 'X = compute()', 'X: compute is not defined in main.py'],
    ['"%s" % "a"', '', '%-formatting is not evaluated'],
    [
      'origins()',
      'def origins():\n    out = ["a"]\n    out.insert(0, "b")\n    return out',
      'origins() at main.py:5: out is modified in place',
    ],
    [
      'origins()',
      'def origins():\n    out = ["a"]\n    out.append(other())\n    return out',
      'origins() at main.py:5: out is modified in place',
    ],
    [
      'Config().origins',
      'class Config:\n    origins = ["class"]\n    def __init__(self):\n        self.origins = []\n        self.origins.append(load())',
      'self.origins is modified in place in Config.__init__',
    ],
    [
      'S("x").origins',
      'from dataclasses import dataclass\n@dataclass\nclass S:\n    origins: list',
      'S(...) is called with positional arguments',
    ],
    [
      'A if FLAG else B',
      'A = ["a"]\nB = ["b"]\nFLAG = other()',
      'depends on the condition FLAG, which cannot be resolved',
    ],
  ] as const)('%s is unresolved, never guessed', async (expr, prelude, reason) => {
    const rv = await origins(expr, prelude);
    expect(rv?.value.kind).toBe('unresolved');
    expect(rv?.expression).toBe(expr);
    if (rv?.value.kind === 'unresolved') expect(rv.value.reason).toBe(reason);
  });

  it('records where each item was written', async () => {
    const rv = await origins('ORIGINS', 'ORIGINS = [\n    "http://a",\n    "http://b/",\n]');
    expect(rv?.source).toEqual({ file: 'main.py', line: 10 });
    expect(rv?.via).toEqual(['ORIGINS at main.py:5']);
    expect(rv?.value.kind === 'list' && rv.value.items.map((i) => i.source.line)).toEqual([6, 7]);
  });
});
