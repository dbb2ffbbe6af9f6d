/**
 * Bundles the server's entry point into one file, dist/main.js (after `tsc` has type-checked and
 * emitted dist/): start-up then reads and compiles one module instead of hundreds (Parley's own, Kysely's,
 * Fastify's), which was most of the start-up time (docs/PERFORMANCE.md, finding 5). parleyctl
 * (dist/cli.js) stays tsc's output.
 *
 * Left outside the bundle: native addons and the packages loaded lazily, at first use (database driver
 * not configured, S3, image processing, file sniffing), so that they still cost nothing at start-up.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: [
    'better-sqlite3',
    'bcrypt',
    'pg',
    'sharp',
    '@aws-sdk/*',
    'file-type',
    // ws's optional native helpers, required inside a try.
    'bufferutil',
    'utf-8-validate',
  ],
  // CommonJS code inside an ES module bundle needs a `require` for Node's built-in modules.
  banner: {
    js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);",
  },
});
