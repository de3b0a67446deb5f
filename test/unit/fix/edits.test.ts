/** Source edits on real shapes of FastAPI code: each row is the text before, the edit, the text after. */
import { describe, expect, it } from 'vitest';
import type { SourceEdit } from '../../../src/core/causes.js';
import { applyEdit, EditDoesNotApply, unifiedDiff } from '../../../src/fix/edits.js';

const F = 'main.py';
const at = (line: number) => ({ file: F, line });

const MULTI_LINE_CALL = `app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
)
`;

const ROWS: Array<{ title: string; before: string; edit: SourceEdit; after: string }> = [
  {
    title: 'set-keyword adds an argument to a call written one per line',
    before: MULTI_LINE_CALL,
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["GET", "PUT"]' },
    after: `app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["GET", "PUT"],
)
`,
  },
  {
    title: 'set-keyword adds an argument to a call on one line',
    before: 'app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])\n',
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_credentials', value: 'True' },
    after:
      'app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_credentials=True)\n',
  },
  {
    title: 'set-keyword replaces an existing value, brackets and strings with commas included',
    before: `app.add_middleware(
    CORSMiddleware,
    allow_methods=["get", "post"],  # lower case, a comma in a comment
    allow_headers=["X-Token, odd"],
)
`,
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["GET", "POST"]' },
    after: `app.add_middleware(
    CORSMiddleware,
    allow_methods=["GET", "POST"],  # lower case, a comma in a comment
    allow_headers=["X-Token, odd"],
)
`,
  },
  {
    title: 'set-keyword leaves a keyword of a nested call alone',
    before: 'app.add_middleware(CORSMiddleware, allow_origins=origins(allow_methods=1))\n',
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["PUT"]' },
    after:
      'app.add_middleware(CORSMiddleware, allow_origins=origins(allow_methods=1), allow_methods=["PUT"])\n',
  },
  {
    title: 'replace-text changes the literal on its line only',
    before: 'a = "http://x/"\norigins = [\n    "http://localhost:3000/",\n]\n',
    edit: {
      kind: 'replace-text',
      file: F,
      line: 3,
      from: 'http://localhost:3000/',
      to: 'http://localhost:3000',
    },
    after: 'a = "http://x/"\norigins = [\n    "http://localhost:3000",\n]\n',
  },
  {
    title: 'move-after moves CORSMiddleware below a decorated middleware function',
    before: `app = FastAPI()

app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])


@app.middleware("http")
async def auth(request, call_next):
    if not request.headers.get("authorization"):
        return JSONResponse(status_code=401, content={})
    return await call_next(request)


@app.get("/items")
def items():
    return []
`,
    edit: { kind: 'move-after', statement: at(3), after: at(6) },
    after: `app = FastAPI()


@app.middleware("http")
async def auth(request, call_next):
    if not request.headers.get("authorization"):
        return JSONResponse(status_code=401, content={})
    return await call_next(request)


app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])


@app.get("/items")
def items():
    return []
`,
  },
  {
    title: 'move-after moves a multi-line registration below another add_middleware',
    before: `app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])
`,
    edit: { kind: 'move-after', statement: at(1), after: at(5) },
    after: `app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
)
`,
  },
  {
    title: 'insert-after adds the code and the import after the last import',
    before: `"""The API."""
from fastapi import (
    FastAPI,
)

app = FastAPI()
`,
    edit: {
      kind: 'insert-after',
      statement: at(6),
      imports: ['from fastapi.middleware.cors import CORSMiddleware'],
      code: ['', 'app.add_middleware(CORSMiddleware)'],
    },
    after: `"""The API."""
from fastapi import (
    FastAPI,
)
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(CORSMiddleware)
`,
  },
  {
    title: 'set-keyword puts the comma before a comment that ends the last argument',
    before: `app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"]  # the frontend
)
`,
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["PUT"]' },
    after: `app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],  # the frontend
    allow_methods=["PUT"],
)
`,
  },
  {
    title: 'set-keyword keeps a comment after the value it replaces',
    before: 'app.add_middleware(\n    CORSMiddleware,\n    allow_methods=["get"]  # lower case\n)\n',
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["GET"]' },
    after: 'app.add_middleware(\n    CORSMiddleware,\n    allow_methods=["GET"]  # lower case\n)\n',
  },
  {
    title: 'set-keyword finds Middleware(CORSMiddleware, ...) inside FastAPI(...) on one line',
    before: 'app = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=["http://a.test"])])\n',
    edit: { kind: 'set-keyword', call: at(1), keyword: 'allow_methods', value: '["PUT"]' },
    after:
      'app = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=["http://a.test"], allow_methods=["PUT"])])\n',
  },
  {
    title: 'move-after keeps a column-0 comment inside the function with the function',
    before: `app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])


@app.middleware("http")
async def auth(request, call_next):
    if "authorization" not in request.headers:
        return JSONResponse({}, status_code=401)
# TODO re-enable
#    log(request)
    return await call_next(request)


@app.get("/items")
def items():
    return {}
`,
    edit: { kind: 'move-after', statement: at(1), after: at(4) },
    after: `
@app.middleware("http")
async def auth(request, call_next):
    if "authorization" not in request.headers:
        return JSONResponse({}, status_code=401)
# TODO re-enable
#    log(request)
    return await call_next(request)


app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])


@app.get("/items")
def items():
    return {}
`,
  },
  {
    title: 'insert-after puts the import in the leading import block, before code that runs',
    before: `"""The API.

from here on, a docstring line that looks like an import
"""
from fastapi import FastAPI, \\
    Request

app = FastAPI()

from app.routes import router  # noqa: E402
`,
    edit: {
      kind: 'insert-after',
      statement: at(8),
      imports: ['from fastapi.middleware.cors import CORSMiddleware'],
      code: ['', 'app.add_middleware(CORSMiddleware)'],
    },
    after: `"""The API.

from here on, a docstring line that looks like an import
"""
from fastapi import FastAPI, \\
    Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(CORSMiddleware)

from app.routes import router  # noqa: E402
`,
  },
];

describe('applyEdit', () => {
  it.each(ROWS)('$title', ({ before, edit, after }) => {
    expect(applyEdit(before, edit)).toBe(after);
  });

  it('refuses to move a registration that is not at the top level (inside an if)', () => {
    const before = `if settings.CORS:
    app.add_middleware(CORSMiddleware, allow_origins=["http://a.test"])

app.add_middleware(AuthMiddleware)
`;
    expect(() =>
      applyEdit(before, { kind: 'move-after', statement: { file: F, line: 2 }, after: { file: F, line: 4 } }),
    ).toThrow(EditDoesNotApply);
  });

  it('refuses a replacement whose text is not on the line', () => {
    expect(() =>
      applyEdit('a = 1\nb = "x"\n', { kind: 'replace-text', file: F, line: 1, from: '"x"', to: '"y"' }),
    ).toThrow(EditDoesNotApply);
  });
});

describe('unifiedDiff', () => {
  it('writes a diff git apply reads: a/ and b/ names, hunks with context', async () => {
    const patch = await unifiedDiff('app/main.py', 'a\nb\nc\n', 'a\nB\nc\n');
    expect(patch.split('\n').slice(0, 3)).toEqual([
      '--- a/app/main.py',
      '+++ b/app/main.py',
      '@@ -1,3 +1,3 @@',
    ]);
    expect(patch).toContain('-b\n+B\n');
  });
  it('is empty when nothing changed', async () => {
    expect(await unifiedDiff('main.py', 'x\n', 'x\n')).toBe('');
  });
});
