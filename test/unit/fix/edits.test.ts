/** Source edits on real shapes of FastAPI code: each row is the text before, the edit, the text after. */
import { describe, expect, it } from 'vitest';
import type { SourceEdit } from '../../../src/causes/types.js';
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
];

describe('applyEdit', () => {
  it.each(ROWS)('$title', ({ before, edit, after }) => {
    expect(applyEdit(before, edit)).toBe(after);
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
