/**
 * Builds the web client once before the browser tests, so they always run against the current source
 * (the server serves web/dist), and checks that Chromium is there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, ROOT } from './harness.js';

export default function setup(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`,
    );
  }
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: path.join(ROOT, 'web'),
      stdio: 'inherit',
      // vitest sets NODE_ENV=test, which would give a build with React's development runtime (several
      // times slower, and what `npm start` would then serve): build what ships.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}
