/**
 * Starts a real Chromium or Firefox ESR (Debian packages) through puppeteer-core, which is an
 * optional dependency and is imported only when a browser is needed.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, LaunchOptions } from 'puppeteer-core';
import type { BrowserName } from '../model/types.js';

export interface LaunchBrowserOptions {
  /** Override the browser binary (default: the first of `BROWSER_CANDIDATES` found, see `findBrowser`). */
  executablePath?: string;
  /** Milliseconds to wait for the browser to start. */
  timeout?: number;
  /**
   * Chrome: let cross-site requests carry cookies, as desktop Chrome does by default (a fresh headless
   * profile blocks third-party cookies).
   */
  thirdPartyCookies?: boolean;
  /**
   * Firefox: no local-network permission check (a public page reaching a loopback or private address), as
   * Chromium runs with `--disable-features=LocalNetworkAccessChecks`; headless, nobody answers the prompt.
   */
  allowLocalNetworkAccess?: boolean;
  /**
   * A browser started for one page and closed: Firefox starts without its built-in add-ons and spare
   * content processes (a quarter of its start-up work), and is ended instead of asked to quit (its orderly
   * shutdown takes most of a second; the throwaway profile is removed either way).
   */
  oneShot?: boolean;
}

export interface LaunchedBrowser {
  name: BrowserName;
  browser: Browser;
  /** Closes the browser and removes its temporary profile. */
  close(): Promise<void>;
}

/** The Debian package that provides each browser. */
export const DEBIAN_PACKAGE: Record<BrowserName, string> = { chrome: 'chromium', firefox: 'firefox-esr' };

/** The environment variable that names a browser binary, overriding the usual places. */
export const BROWSER_PATH_VARIABLE: Record<BrowserName, string> = {
  chrome: 'CHROME_PATH',
  firefox: 'FIREFOX_PATH',
};

/** The usual places of each browser on Linux and macOS, most likely first. */
export const BROWSER_CANDIDATES: Record<BrowserName, readonly string[]> = {
  chrome: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/lib/chromium/chromium',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  firefox: [
    '/usr/bin/firefox-esr',
    '/usr/bin/firefox',
    '/usr/lib/firefox-esr/firefox-esr',
    '/usr/lib/firefox/firefox',
    '/opt/firefox/firefox',
    '/snap/bin/firefox',
    '/Applications/Firefox.app/Contents/MacOS/firefox',
  ],
};

/** Where a browser was found, or why not (one line naming what to install). */
export type BrowserLocation =
  | { found: true; name: BrowserName; executable: string; via: 'option' | 'environment' | 'usual place' }
  | { found: false; name: BrowserName; reason: string };

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a browser binary: `override` first, then `CHROME_PATH` / `FIREFOX_PATH` (and the older
 * `CORS_DOCTOR_CHROME` / `CORS_DOCTOR_FIREFOX`), then the usual places. A path given explicitly that is
 * not an executable file is reported as such, never replaced by another browser.
 */
export function findBrowser(
  name: BrowserName,
  override?: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = isExecutableFile,
): BrowserLocation {
  const variable = BROWSER_PATH_VARIABLE[name];
  const named: Array<[string, string | undefined]> = [
    ['the executable path given', override],
    [variable, env[variable]],
    [`CORS_DOCTOR_${name.toUpperCase()}`, env[`CORS_DOCTOR_${name.toUpperCase()}`]],
  ];
  for (const [source, path] of named) {
    if (path === undefined || path === '') continue;
    if (exists(path))
      return {
        found: true,
        name,
        executable: path,
        via: source === 'the executable path given' ? 'option' : 'environment',
      };
    return { found: false, name, reason: `${name}: ${source} is ${path}, which is not an executable file` };
  }
  const executable = BROWSER_CANDIDATES[name].find((path) => exists(path));
  if (executable) return { found: true, name, executable, via: 'usual place' };
  return { found: false, name, reason: missingBinaryMessage(name) };
}

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

/** The binary that `launchBrowser(name)` would use (the first usual place when none is found). */
export function browserExecutable(name: BrowserName, override?: string): string {
  const location = findBrowser(name, override);
  return location.found ? location.executable : (override ?? BROWSER_CANDIDATES[name][0] ?? name);
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
  const location = findBrowser(name, override);
  return location.found ? undefined : location.reason;
}

function missingBinaryMessage(name: BrowserName): string {
  return `${name} not found (looked for ${BROWSER_CANDIDATES[name].filter((p) => p.startsWith('/usr/bin/')).join(', ')}; set ${BROWSER_PATH_VARIABLE[name]} to use another): install it with \`apt-get install -y ${DEBIAN_PACKAGE[name]}\``;
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
  const location = findBrowser(name, opts.executablePath);
  if (!location.found) throw new Error(location.reason);
  const executablePath = location.executable;

  const profile = await mkdtemp(join(tmpdir(), `cors-doctor-${name}-`));
  if (name === 'chrome' && opts.thirdPartyCookies) await allowThirdPartyCookies(profile);
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
      ? // A copy: puppeteer removes the --disable-features flag from the array it is given (merging it into
        // its own), so a shared array would lose it after the first launch.
        { ...common, browser: 'chrome', args: [...CHROMIUM_ARGS] }
      : {
          ...common,
          browser: 'firefox',
          extraPrefsFirefox: {
            ...FIREFOX_PREFS,
            ...(opts.allowLocalNetworkAccess && { 'network.lna.blocking': false }),
            ...(opts.oneShot && FIREFOX_ONE_SHOT_PREFS),
          },
        };

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
        const child = browser.process();
        if (opts.oneShot && name === 'firefox' && child && child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          await browser.disconnect();
          child.kill('SIGKILL');
          await exited;
        } else {
          await browser.close();
        }
      } finally {
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

/**
 * Writes the profile preference that desktop Chrome ships with (cookies allowed in cross-site
 * requests); a fresh headless profile otherwise blocks them ("UserPreferences").
 */
async function allowThirdPartyCookies(profile: string): Promise<void> {
  await mkdir(join(profile, 'Default'), { recursive: true });
  await writeFile(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
}

/** Firefox preferences that keep the headless profile quiet and local. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'network.http.http3.enable': false,
  'network.dns.disableIPv6': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};

/** Firefox started for one page: no built-in add-ons (web-compat, form autofill, ...), no spare processes. */
const FIREFOX_ONE_SHOT_PREFS: Record<string, unknown> = {
  'extensions.enabledScopes': 0,
  'extensions.autoDisableScopes': 15,
  'extensions.webcompat.enabled': false,
  'dom.ipc.processPrelaunch.enabled': false,
  'browser.tabs.remote.warmup.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};
