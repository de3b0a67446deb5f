/**
 * Starts a real Chromium or Firefox ESR (Debian packages) through puppeteer-core, which is an
 * optional dependency and is imported only when a browser is needed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, LaunchOptions } from 'puppeteer-core';
import type { BrowserName } from '../model/types.js';

export interface LaunchBrowserOptions {
  /** Override the browser binary (defaults: `/usr/bin/chromium`, `/usr/bin/firefox-esr`). */
  executablePath?: string;
  /** Milliseconds to wait for the browser to start. */
  timeout?: number;
}

export interface LaunchedBrowser {
  name: BrowserName;
  browser: Browser;
  /** Closes the browser and removes its temporary profile. */
  close(): Promise<void>;
}

const DEFAULT_BINARY: Record<BrowserName, { path: string; debianPackage: string }> = {
  chrome: { path: '/usr/bin/chromium', debianPackage: 'chromium' },
  firefox: { path: '/usr/bin/firefox-esr', debianPackage: 'firefox-esr' },
};

/** Flags for running Chromium headless as root, without background traffic or local network prompts. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=LocalNetworkAccessChecks',
];

/** The binary that `launchBrowser(name)` would use. */
export function browserExecutable(name: BrowserName, override?: string): string {
  return override ?? process.env[`CORS_DOCTOR_${name.toUpperCase()}`] ?? DEFAULT_BINARY[name].path;
}

/** Why `name` cannot be launched here, or `undefined` when it can (puppeteer-core and the binary exist). */
export async function browserUnavailableReason(
  name: BrowserName,
  override?: string,
): Promise<string | undefined> {
  try {
    await importPuppeteer();
  } catch (error) {
    return (error as Error).message;
  }
  const executable = browserExecutable(name, override);
  if (!existsSync(executable)) return missingBinaryMessage(name, executable);
  return undefined;
}

function missingBinaryMessage(name: BrowserName, executable: string): string {
  return `${name} not found at ${executable}: install it with \`apt-get install -y ${DEFAULT_BINARY[name].debianPackage}\``;
}

type Launch = typeof import('puppeteer-core')['launch'];

async function importPuppeteer(): Promise<Launch> {
  try {
    return (await import('puppeteer-core')).launch;
  } catch {
    throw new Error(
      'puppeteer-core is not installed: run `npm install puppeteer-core` (an optional dependency) to replay scenarios in real browsers',
    );
  }
}

/** Launches a headless browser with a fresh temporary profile. */
export async function launchBrowser(
  name: BrowserName,
  opts: LaunchBrowserOptions = {},
): Promise<LaunchedBrowser> {
  const launch = await importPuppeteer();
  const executablePath = browserExecutable(name, opts.executablePath);
  if (!existsSync(executablePath)) throw new Error(missingBinaryMessage(name, executablePath));

  const profile = await mkdtemp(join(tmpdir(), `cors-doctor-${name}-`));
  const common: LaunchOptions = {
    executablePath,
    userDataDir: profile,
    headless: true,
    timeout: opts.timeout ?? 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
  const options: LaunchOptions =
    name === 'chrome'
      ? { ...common, browser: 'chrome', args: CHROMIUM_ARGS }
      : { ...common, browser: 'firefox', extraPrefsFirefox: FIREFOX_PREFS };

  let browser: Browser;
  try {
    browser = await launch(options);
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    const first = String((error as Error).message ?? error).split('\n')[0];
    throw new Error(`could not launch ${name} (${executablePath}): ${first}`);
  }

  let closed = false;
  return {
    name,
    browser,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await browser.close();
      } finally {
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

/** Firefox preferences that keep the headless profile quiet and local. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'network.http.http3.enable': false,
  'network.dns.disableIPv6': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};
