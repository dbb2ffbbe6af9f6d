/**
 * The e2e harness: a real Parley server as a child process (the same entry point `npm start` runs,
 * through tsx) on a free port with a fresh data directory, Debian's Chromium driven by playwright-core,
 * and Client4 for seeding data through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import mm from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';

const { Client4 } = mm;
type Client4 = InstanceType<typeof Client4>;

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ARTIFACTS = path.join(ROOT, 'test-results', 'e2e');
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ParleyProcess {
  private child: ChildProcess | undefined;
  private log: string[] = [];
  readonly url: string;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<ParleyProcess> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
    const p = new ParleyProcess(await freePort(), dataDir);
    await p.boot();
    return p;
  }

  /** Starts the server process and waits until it answers. */
  async boot(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: this.dataDir,
      PARLEY_BCRYPT_COST: '10',
      PARLEY_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.PARLEY_SITE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log.push(chunk.toString());
      if (this.log.length > 200) this.log.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`Parley exited with ${child.exitCode}:\n${this.log.join('')}`);
      try {
        const res = await fetch(`${this.url}/api/v4/system/ping`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`Parley did not start within 60 s:\n${this.log.join('')}`);
  }

  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  output(): string {
    return this.log.join('');
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  client(): Client4 {
    const c = new Client4();
    c.setUrl(this.url);
    return c;
  }

  /** Logs in through the API (for seeding); the user must exist. */
  async login(username: string, password = PASSWORD): Promise<{ client: Client4; user: UserProfile }> {
    const c = this.client();
    const user = await c.login(username, password);
    return { client: c, user };
  }
}

export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
  });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Every page error and console error, to assert that nothing failed (and no script ran). */
  errors: string[];
  dialogs: string[];
}

export async function openPerson(
  browser: Browser,
  baseURL: string,
  opts: { width?: number; height?: number } = {},
): Promise<Person> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  // A script in a message that managed to run would most likely call alert(): record and refuse it.
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, errors, dialogs };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
