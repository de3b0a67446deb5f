/**
 * Settings written the way the FastAPI full-stack template writes them (backend/app/core/config.py read from
 * backend/, `.env` one folder up): the origins CORSMiddleware gets, and where each origin is written (the
 * `.env` line, the default in the class), which is where an origin is added or corrected.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPythonProject } from '../../../src/python/read-project.js';
import { cors, plain } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'cors-doctor-template-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const V2_IMPORTS = `from typing import Annotated, Any

from pydantic import AnyHttpUrl, AnyUrl, BeforeValidator, computed_field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
`;

const PARSE_CORS = `def parse_cors(v: Any) -> list[str] | str:
    if isinstance(v, str) and not v.startswith("["):
        return [i.strip() for i in v.split(",")]
    elif isinstance(v, list | str):
        return v
    raise ValueError(v)
`;

/** The current template: a comma list through parse_cors, a property adding FRONTEND_HOST. */
const CURRENT = (
  strip: string,
  config = 'env_file="../.env", env_ignore_empty=True, extra="ignore"',
) => `${V2_IMPORTS}

${PARSE_CORS}

class Settings(BaseSettings):
    model_config = SettingsConfigDict(${config})
    FRONTEND_HOST: str = "http://localhost:5173"
    BACKEND_CORS_ORIGINS: Annotated[list[AnyUrl] | str, BeforeValidator(parse_cors)] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def all_cors_origins(self) -> list[str]:
        return [${strip} for origin in self.BACKEND_CORS_ORIGINS] + [self.FRONTEND_HOST]


settings = Settings()
`;

/** A pydantic v2 template of 2024: field_validator(mode="before") on list[AnyHttpUrl]. */
const FIELD_VALIDATOR = `${V2_IMPORTS}

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file="../.env")
    BACKEND_CORS_ORIGINS: list[AnyHttpUrl] | str = ["http://localhost:8080"]

    @field_validator("BACKEND_CORS_ORIGINS", mode="before")
    @classmethod
    def assemble_cors_origins(cls, v: str | list[str]) -> list[str] | str:
        if isinstance(v, str) and not v.startswith("["):
            return [i.strip() for i in v.split(",")]
        elif isinstance(v, list | str):
            return v
        raise ValueError(v)


settings = Settings()
`;

/** The pydantic 1.10 template: validator(pre=True), a JSON list in the environment. */
const V1 = `from typing import List, Union

from pydantic import AnyHttpUrl, BaseSettings, validator


class Settings(BaseSettings):
    BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = []

    @validator("BACKEND_CORS_ORIGINS", pre=True)
    def assemble_cors_origins(cls, v: Union[str, List[str]]) -> Union[List[str], str]:
        if isinstance(v, str) and not v.startswith("["):
            return [i.strip() for i in v.split(",")]
        elif isinstance(v, (list, str)):
            return v
        raise ValueError(v)

    class Config:
        case_sensitive = True
        env_file = "../.env"


settings = Settings()
`;

interface Row {
  name: string;
  config: string;
  /** The expression main.py passes as allow_origins. */
  origins: string;
  dotenv: string;
  requirements: string;
  value: unknown;
  /** file:line where each origin is written. */
  places?: string[];
  /** Where the variable the origins come from is set. */
  setAt?: string;
  /** The line that sets the variable empty, ignored by env_ignore_empty. */
  emptyAt?: string;
  /** Other files of the project. */
  extra?: Record<string, string>;
}

const V2_REQ = 'fastapi==0.115.12\npydantic==2.11.3\npydantic-settings==2.9.1\n';
const V1_REQ = 'fastapi==0.92.0\npydantic==1.10.4\n';
const CURRENT_ENV =
  'FRONTEND_HOST=http://localhost:5173\nBACKEND_CORS_ORIGINS="http://localhost,https://localhost"\n';

const ROWS: Row[] = [
  {
    name: 'current template: all_cors_origins, the strip, FRONTEND_HOST added',
    config: CURRENT('str(origin).rstrip("/")'),
    origins: 'settings.all_cors_origins',
    dotenv: CURRENT_ENV,
    requirements: V2_REQ,
    value: ['http://localhost', 'https://localhost', 'http://localhost:5173'],
    places: ['.env:2', '.env:2', 'backend/app/core/config.py:23'],
    setAt: '.env:2',
  },
  {
    name: 'the same property without the strip: pydantic v2 AnyUrl writes a "/" after the host',
    config: CURRENT('str(origin)'),
    origins: 'settings.all_cors_origins',
    dotenv: CURRENT_ENV,
    requirements: V2_REQ,
    value: ['http://localhost/', 'https://localhost/', 'http://localhost:5173'],
    places: ['.env:2', '.env:2', 'backend/app/core/config.py:23'],
    setAt: '.env:2',
  },
  {
    name: 'env_ignore_empty: BACKEND_CORS_ORIGINS= empty counts as not set, the default applies',
    config: CURRENT('str(origin).rstrip("/")'),
    origins: 'settings.all_cors_origins',
    dotenv: 'BACKEND_CORS_ORIGINS=\n',
    requirements: V2_REQ,
    value: ['http://localhost:5173'],
    places: ['backend/app/core/config.py:23'],
    emptyAt: '.env:1',
  },
  {
    name: 'env_file="../.env" is read from backend/, where the app is started: not a backend/.env beside it',
    config: CURRENT('str(origin).rstrip("/")'),
    origins: 'settings.all_cors_origins',
    dotenv: CURRENT_ENV,
    extra: { 'backend/.env': 'BACKEND_CORS_ORIGINS="http://localhost:8081"\n' },
    requirements: V2_REQ,
    value: ['http://localhost', 'https://localhost', 'http://localhost:5173'],
    places: ['.env:2', '.env:2', 'backend/app/core/config.py:23'],
    setAt: '.env:2',
  },
  {
    name: 'env_file=".env" from backend/: backend/.env, not the one above',
    config: CURRENT('str(origin).rstrip("/")', 'env_file=".env"'),
    origins: 'settings.all_cors_origins',
    dotenv: CURRENT_ENV,
    extra: { 'backend/.env': 'BACKEND_CORS_ORIGINS="http://localhost:8081"\n' },
    requirements: V2_REQ,
    value: ['http://localhost:8081', 'http://localhost:5173'],
    places: ['backend/.env:1', 'backend/app/core/config.py:23'],
    setAt: 'backend/.env:1',
  },
  {
    name: 'the comprehension written in main.py over the field, strip("/")',
    config: FIELD_VALIDATOR,
    origins: '[str(origin).strip("/") for origin in settings.BACKEND_CORS_ORIGINS]',
    dotenv: 'BACKEND_CORS_ORIGINS=http://localhost:3000, https://app.example.com\n',
    requirements: V2_REQ,
    value: ['http://localhost:3000', 'https://app.example.com'],
    places: ['.env:1', '.env:1'],
    setAt: '.env:1',
  },
  {
    name: 'the variable set nowhere: the default in the class is where the origins are written',
    config: FIELD_VALIDATOR,
    origins: '[str(origin).strip("/") for origin in settings.BACKEND_CORS_ORIGINS]',
    dotenv: 'DOMAIN=localhost\n',
    requirements: V2_REQ,
    value: ['http://localhost:8080'],
    places: ['backend/app/core/config.py:9'],
  },
  {
    name: 'pydantic 1.10: a JSON list, kept as written (no "/" added)',
    config: V1,
    origins: '[str(origin) for origin in settings.BACKEND_CORS_ORIGINS]',
    dotenv: 'BACKEND_CORS_ORIGINS=["http://localhost", "http://localhost:3000"]\n',
    requirements: V1_REQ,
    value: ['http://localhost', 'http://localhost:3000'],
    places: ['.env:1', '.env:1'],
    setAt: '.env:1',
  },
  {
    name: 'pydantic 1.10: a comma list is not JSON, so pydantic raises before the validator runs',
    config: V1,
    origins: '[str(origin) for origin in settings.BACKEND_CORS_ORIGINS]',
    dotenv: 'BACKEND_CORS_ORIGINS=http://localhost,http://localhost:3000\n',
    requirements: V1_REQ,
    value: {
      unresolved:
        'settings.BACKEND_CORS_ORIGINS: pydantic v1 raises SettingsError: error parsing env var "BACKEND_CORS_ORIGINS" — List[AnyHttpUrl] fields are JSON-decoded and "http://localhost,http://localhost:3000" (env_file .env BACKEND_CORS_ORIGINS at .env:1) is not JSON',
    },
  },
  {
    name: 'a parse function of another shape (re.split): not read, said so',
    config: CURRENT('str(origin).rstrip("/")').replace(
      'return [i.strip() for i in v.split(",")]',
      'return [i for i in re.split(r"[,;]", v)]',
    ),
    origins: 'settings.all_cors_origins',
    dotenv: CURRENT_ENV,
    requirements: V2_REQ,
    value: { unresolved: expect.stringContaining('the validator parse_cors') },
  },
];

let n = 0;
async function read(row: Row) {
  const dir = join(tmp, `p${n++}`);
  const files: Record<string, string> = {
    '.env': row.dotenv,
    'backend/requirements.txt': row.requirements,
    'backend/app/__init__.py': '',
    'backend/app/core/__init__.py': '',
    'backend/app/core/config.py': row.config,
    'backend/app/main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.core.config import settings

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=${row.origins}, allow_credentials=True)
`,
  };
  for (const [file, text] of Object.entries({ ...files, ...row.extra })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const project = await readPythonProject(dir);
  const app = project.apps[0];
  if (!app) throw new Error('no app read');
  return cors(app).options?.allow_origins;
}

describe('full-stack template settings: the origins and where each is written', () => {
  it.each(ROWS)('$name', async (row) => {
    const option = await read(row);
    expect(plain(option)).toEqual(row.value);
    if (row.places)
      expect(
        option?.value.kind === 'list'
          ? option.value.items.map((i) => `${i.source.file}:${i.source.line}`)
          : [],
      ).toEqual(row.places);
    const set = option?.env?.valueFrom;
    expect(set && `${set.file}:${set.line}`).toBe(row.setAt);
    const empty = option?.env?.emptyAt;
    expect(empty && `${empty.file}:${empty.line}`).toBe(row.emptyAt);
  });
});
