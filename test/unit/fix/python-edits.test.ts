// The edits that reorder middleware or write code inside it, on source text as people write it.
import { describe, expect, it } from 'vitest';
import type { SourceEdit } from '../../../src/core/causes.js';
import { applyEdit, EditDoesNotApply } from '../../../src/fix/edits.js';

const F = 'main.py';
const at = (line: number) => ({ file: F, line });
const move = (from: number, before: number, names?: { statement: string; before: string }): SourceEdit => ({
  kind: 'move-item-before',
  statement: at(from),
  before: at(before),
  ...(names && { names }),
});

const remove = (line: number, item: string): SourceEdit => ({
  kind: 'remove-item',
  statement: at(line),
  item,
});

const ROWS: Array<{ title: string; before: string; edit: SourceEdit; after: string }> = [
  {
    title: 'remove-item: the last item of its line, a comment and the next item on the lines after it',
    before: `origins = [
    "http://app.example.com", "null",
    # local
    "http://localhost:3000",
]
`,
    edit: remove(2, '"null"'),
    after: `origins = [
    "http://app.example.com",
    # local
    "http://localhost:3000",
]
`,
  },
  {
    title: 'remove-item: the first item after the bracket, the others on later lines',
    before: `allow_origins=["null",  # to be removed
    # production
    "https://app.example.com"]
`,
    edit: remove(1, '"null"'),
    after: `allow_origins=[# to be removed
    # production
    "https://app.example.com"]
`,
  },
  {
    title: 'remove-item: an item between two on the same line',
    before: `ORIGINS = ["https://app.example.com", "null", "https://admin.example.com"]  # all
`,
    edit: remove(1, '"null"'),
    after: `ORIGINS = ["https://app.example.com", "https://admin.example.com"]  # all
`,
  },
  {
    title: 'remove-item: an item alone on its line, with its comment',
    before: `ORIGINS = [
    "https://app.example.com",
    "null",  # file:// pages
    # staging
    "https://staging.example.com",
]
`,
    edit: remove(3, '"null"'),
    after: `ORIGINS = [
    "https://app.example.com",
    # staging
    "https://staging.example.com",
]
`,
  },
  {
    title: 'move-item-before: a multi-line item of a one-per-line list, with a comment after it',
    before: `middleware = [
    Middleware(TokenAuth),
    Middleware(GZipMiddleware, minimum_size=500),
    Middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:5173"],
    ),  # the frontend
]
`,
    edit: move(4, 2),
    after: `middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:5173"],
    ),  # the frontend
    Middleware(TokenAuth),
    Middleware(GZipMiddleware, minimum_size=500),
]
`,
  },
  {
    title: 'move-item-before: the last item without a trailing comma gets one',
    before: `app = FastAPI(
    middleware=[
        Middleware(TokenAuth),
        Middleware(CORSMiddleware, allow_origins=ORIGINS)
    ]
)
`,
    edit: move(4, 3),
    after: `app = FastAPI(
    middleware=[
        Middleware(CORSMiddleware, allow_origins=ORIGINS),
        Middleware(TokenAuth),
    ]
)
`,
  },
  {
    title: 'move-item-before: items on one line, told apart by the class each registers',
    before: `app = Starlette(routes=routes, middleware=[Middleware(TokenAuth), Middleware(CORSMiddleware, allow_origins=["https://a.example"])])
`,
    edit: move(1, 1, { statement: 'CORSMiddleware', before: 'TokenAuth' }),
    after: `app = Starlette(routes=routes, middleware=[Middleware(CORSMiddleware, allow_origins=["https://a.example"]), Middleware(TokenAuth)])
`,
  },
  {
    title: 'insert-before: the first statement of a method body, at its indentation',
    before: `class Gate:
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
`,
    edit: {
      kind: 'insert-before',
      statement: at(3),
      imports: [],
      code: ['if scope["method"] == "OPTIONS":', '    return await self.app(scope, receive, send)'],
    },
    after: `class Gate:
    async def __call__(self, scope, receive, send):
        if scope["method"] == "OPTIONS":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
`,
  },
  {
    title: 'insert-before with no code: only the import, after the last import',
    before: `"""Notes."""
from fastapi import FastAPI, HTTPException

app = FastAPI()
`,
    edit: {
      kind: 'insert-before',
      statement: at(4),
      imports: ['from fastapi.responses import JSONResponse'],
      code: [],
    },
    after: `"""Notes."""
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

app = FastAPI()
`,
  },
  {
    title:
      'insert-before: no import when the module already imports the name (in parentheses, under another module)',
    before: `from starlette.responses import (
    HTMLResponse,
    JSONResponse,
)

app = Starlette()
`,
    edit: {
      kind: 'insert-before',
      statement: at(6),
      imports: ['from fastapi.responses import JSONResponse'],
      code: [],
    },
    after: `from starlette.responses import (
    HTMLResponse,
    JSONResponse,
)

app = Starlette()
`,
  },
];

describe('python edits', () => {
  it.each(ROWS.map((r) => [r.title, r] as const))('%s', (_title, row) => {
    expect(applyEdit(row.before, row.edit)).toBe(row.after);
  });

  it('refuses to move items of two different lists, or a line that starts no item', () => {
    const text = `a = [\n    Middleware(TokenAuth),\n]\nb = [\n    Middleware(CORSMiddleware),\n]\n`;
    expect(() => applyEdit(text, move(5, 2))).toThrow(EditDoesNotApply);
    expect(() => applyEdit(text, move(3, 2))).toThrow(EditDoesNotApply);
  });

  it('refuses to insert before a blank line', () => {
    expect(() =>
      applyEdit('x = 1\n\ny = 2\n', {
        kind: 'insert-before',
        statement: at(2),
        imports: [],
        code: ['z = 3'],
      }),
    ).toThrow(EditDoesNotApply);
  });
});
