// The Debian packages the test suite needs, and how to tell whether they are installed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DEBIAN_PACKAGES = [
  'chromium',
  'firefox-esr',
  'python3-fastapi',
  'python3-uvicorn',
  'python3-httpx',
  'python3-pytest',
  'python3-dotenv',
  'nginx-light',
];

export const INSTALL_COMMAND = `apt-get update && apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`;

function pythonHas(modules) {
  try {
    execFileSync('/usr/bin/python3', ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Names of what is missing, empty when everything is there. */
export function missingSystemDeps() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!existsSync('/usr/bin/firefox-esr')) missing.push('firefox-esr');
  if (!existsSync('/usr/sbin/nginx')) missing.push('nginx');
  if (!pythonHas(['fastapi', 'uvicorn', 'httpx', 'pytest', 'dotenv']))
    missing.push('python3-fastapi/python3-uvicorn/python3-httpx/python3-pytest/python3-dotenv');
  return missing;
}
