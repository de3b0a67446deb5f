import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.very-secret';
const COOKIE = 'session=s3cr3t-cookie';
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const origin = String(req.headers.origin ?? '');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Headers': 'authorization',
      });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Set-Cookie': 'session=rotated-secret',
    });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/me`;
});
afterAll(() => {
  server.close();
});

describe('secrets never reach the output unless asked', () => {
  const args = () => [
    'check',
    url,
    '--origin',
    'http://localhost:3000',
    '-H',
    `Authorization: Bearer ${TOKEN}`,
    '--credentials',
    'include',
    '--cookie',
    COOKIE,
  ];
  it.each([
    ['human output', []],
    ['--json', ['--json']],
  ])('%s masks Authorization and cookies', async (_title, extra) => {
    const { code, stdout } = await runCli([...args(), ...extra]);
    expect(code).toBe(0);
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).not.toContain('s3cr3t-cookie');
    expect(stdout).not.toContain('rotated-secret');
    expect(stdout).toContain('Bearer ***');
  });
  it('--show-secrets prints them', async () => {
    const { stdout } = await runCli([...args(), '--json', '--show-secrets']);
    expect(stdout).toContain(TOKEN);
    expect(stdout).toContain('s3cr3t-cookie');
  });
});
