/// <reference lib="dom" />
/**
 * Browser benchmark of the web client (not a test, not part of npm test): a real Parley server (the e2e
 * harness: fresh data directory, free port), data seeded through the API with some concurrency, and
 * Debian's Chromium driven by playwright-core.
 *
 * (a) Channel switch: the time from the click on a sidebar entry until the 60th post of that channel
 *     is in the DOM (and until the next frame), measured in the page with performance.now() and a
 *     MutationObserver, alternating between two channels of 60 posts; median and p95.
 * (b) History scroll: a channel of 10,000 posts opened at the newest, then scrolled to the top again and
 *     again so the client loads older pages itself, until the beginning of the conversation shows.
 *     Reports total time, long tasks (PerformanceObserver 'longtask'), slow frames, max JS heap
 *     (performance.memory, precise) and the most rows mounted at once.
 *
 * Usage: npm run bench:browser [-- --switches 20 --history 10000 --profile scroll.cpuprofile]
 * (--profile writes a Chromium CPU profile of the scroll, taken through CDP; open it in DevTools.)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { CHROMIUM, CHROMIUM_ARGS, ParleyProcess, PASSWORD, ROOT } from '../../e2e/src/harness.js';
import { logIn, openChannel } from '../../e2e/src/ui.js';

const { values: args } = parseArgs({
  options: {
    switches: { type: 'string', default: '20' },
    history: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
    'skip-build': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const SWITCHES = Number(args.switches);
const HISTORY = Number(args.history);
const CONCURRENCY = Number(args.concurrency);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Clicks the sidebar entry and resolves with ms until the 60th post (DOM, then next frame). */
async function timeSwitch(
  page: Page,
  name: string,
  expected: number,
): Promise<{ dom: number; frame: number }> {
  return page.evaluate(
    ({ name, expected }) =>
      new Promise<{ dom: number; frame: number }>((resolve, reject) => {
        const link = [...document.querySelectorAll<HTMLAnchorElement>('nav a.sidebar__item')].find(
          (a) => a.querySelector('.sidebar__name')?.textContent === name,
        );
        if (!link) return reject(new Error(`no sidebar entry ${name}`));
        const prefix = `${name} #`;
        const done = () => {
          const title = document.querySelector('#channel-title')?.textContent ?? '';
          if (!title.includes(name)) return false;
          const posts = document.querySelectorAll('.workspace__main article.post');
          if (posts.length < expected) return false;
          return (posts[0]?.textContent ?? '').includes(prefix);
        };
        const timer = setTimeout(() => reject(new Error(`switch to ${name} timed out`)), 30_000);
        const obs = new MutationObserver(() => {
          if (!done()) return;
          const dom = performance.now() - t0;
          obs.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => setTimeout(() => resolve({ dom, frame: performance.now() - t0 })));
        });
        obs.observe(document.body, { childList: true, subtree: true, characterData: true });
        const t0 = performance.now();
        link.click();
      }),
    { name, expected },
  );
}

interface ScrollResult {
  ms: number;
  steps: number;
  maxMounted: number;
  longTasks: number;
  longTaskMs: number;
  maxLongTaskMs: number;
  frames: number;
  slowFrames: number;
  maxHeapMB: number;
  reachedStart: boolean;
}

/** Scrolls the open channel from newest to oldest, letting the client page in history. */
async function scrollHistory(page: Page): Promise<ScrollResult> {
  return page.evaluate(async () => {
    const scroller = document.querySelector<HTMLElement>('.workspace__main .post-list__scroller');
    if (!scroller) throw new Error('no post list');
    const mem = () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
    let longTasks = 0;
    let longTaskMs = 0;
    let maxLongTaskMs = 0;
    const po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        longTasks++;
        longTaskMs += e.duration;
        maxLongTaskMs = Math.max(maxLongTaskMs, e.duration);
      }
    });
    po.observe({ type: 'longtask', buffered: false });
    let frames = 0;
    let slowFrames = 0;
    let last = performance.now();
    let running = true;
    const tick = (now: number) => {
      frames++;
      if (now - last > 50) slowFrames++;
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);

    const mounted = () => scroller.querySelectorAll('article.post').length;
    const firstId = () => scroller.querySelector('[data-post-id]')?.getAttribute('data-post-id') ?? '';
    const atStart = () => scroller.querySelector('.post-list__start') !== null;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
    let maxMounted = mounted();
    let maxHeap = mem();
    let steps = 0;
    const t0 = performance.now();
    let reachedStart = false;
    while (performance.now() - t0 < 600_000) {
      if (atStart() && scroller.scrollTop <= 0) {
        reachedStart = true;
        break;
      }
      const before = firstId();
      steps++;
      // Scroll to the top (again every few frames, as a reader would keep scrolling: the client ignores a
      // scroll while a page is in flight) until older rows are mounted or the beginning shows; give up
      // on a step after 15 s.
      const stepStart = performance.now();
      for (let n = 0; performance.now() - stepStart < 15_000; n++) {
        if (n % 6 === 0) {
          scroller.scrollTop = 0;
          scroller.dispatchEvent(new Event('scroll'));
        }
        await frame();
        if (firstId() !== before || atStart()) break;
      }
      maxMounted = Math.max(maxMounted, mounted());
      maxHeap = Math.max(maxHeap, mem());
      if (firstId() === before && !atStart()) break;
    }
    const ms = performance.now() - t0;
    await frame();
    running = false;
    po.disconnect();
    return {
      ms,
      steps,
      maxMounted,
      longTasks,
      longTaskMs,
      maxLongTaskMs,
      frames,
      slowFrames,
      maxHeapMB: maxHeap / 1048576,
      reachedStart,
    };
  });
}

async function main(): Promise<void> {
  if (!args['skip-build']) {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      { cwd: path.join(ROOT, 'web'), stdio: 'inherit' },
    );
  }
  const server = await ParleyProcess.start();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
  });
  try {
    await server
      .client()
      .createUser(
        { username: 'alice', email: 'alice@example.com', password: PASSWORD } as UserProfile,
        '',
        '',
      );
    const { client: admin } = await server.login('alice');
    const team = await admin.createTeam({ name: 'bench', display_name: 'Bench', type: 'O' } as Team);
    const mk = (name: string) =>
      admin.createChannel({ team_id: team.id, name, display_name: name, type: 'O' } as Channel);
    const [left, right, big] = [await mk('left'), await mk('right'), await mk('history')];

    const seed = async (ch: Channel, n: number) =>
      pool(n, CONCURRENCY, (i) =>
        admin.createPost({
          channel_id: ch.id,
          message: `${ch.display_name} #${i + 1}: some words to give the row a realistic line of text`,
        } as Post),
      );
    await seed(left, 60);
    await seed(right, 60);
    const s0 = performance.now();
    await seed(big, HISTORY);
    const seedS = (performance.now() - s0) / 1000;
    console.log(
      `seeded ${HISTORY} posts through the API in ${seedS.toFixed(1)} s (concurrency ${CONCURRENCY})`,
    );

    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    // tsx (esbuild keepNames) wraps named functions in __name(): give the page a no-op one.
    await context.addInitScript('window.__name = (f) => f;');
    const page = await context.newPage();
    await logIn(page, 'alice');

    // (a) channel switches; the first visit to each is a warm-up (not counted).
    await openChannel(page, 'left');
    await openChannel(page, 'right');
    const dom: number[] = [];
    const framed: number[] = [];
    for (let i = 0; i < SWITCHES; i++) {
      const r = await timeSwitch(page, i % 2 === 0 ? 'left' : 'right', 60);
      dom.push(r.dom);
      framed.push(r.frame);
      await page.waitForTimeout(200);
    }
    dom.sort((a, b) => a - b);
    framed.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    console.log(`\n(a) channel switch, 60 posts, ${SWITCHES} switches alternating`);
    console.log(
      `    to 60th post in DOM: median ${f(quantile(dom, 0.5))} ms, p95 ${f(quantile(dom, 0.95))} ms`,
    );
    console.log(
      `    to next frame:       median ${f(quantile(framed, 0.5))} ms, p95 ${f(quantile(framed, 0.95))} ms`,
    );

    // (b) history scroll.
    await openChannel(page, 'history');
    await page.locator('.workspace__main article.post').nth(59).waitFor();
    const cdp = args.profile ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const r = await scrollHistory(page);
    if (cdp && args.profile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(args.profile, JSON.stringify(profile));
      console.log(`CPU profile of the scroll: ${args.profile}`);
    }
    console.log(`\n(b) scroll newest → oldest through ${HISTORY} posts`);
    console.log(
      `    reached the beginning: ${r.reachedStart}, in ${(r.ms / 1000).toFixed(1)} s, ${r.steps} steps`,
    );
    console.log(
      `    long tasks: ${r.longTasks} (total ${r.longTaskMs.toFixed(0)} ms, max ${r.maxLongTaskMs.toFixed(0)} ms)`,
    );
    console.log(`    frames: ${r.frames}, over 50 ms: ${r.slowFrames}`);
    console.log(`    max JS heap: ${r.maxHeapMB.toFixed(1)} MB, max rows mounted: ${r.maxMounted}`);
    await context.close();
  } finally {
    await browser.close();
    await server.destroy();
  }
}

await main();
