/**
 * Files in the browser: Alice drops an image on the channel (a real DataTransfer drop), watches its
 * upload progress under a throttled upload, and posts it; Bob sees the thumbnail and opens the viewer.
 * Alice records a voice message from Chromium's fake microphone and sends it; Bob's client plays it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  openPerson,
  ParleyProcess,
  PASSWORD,
  screenshot,
  type Person,
} from '../src/harness.js';
import { expectNoScriptRan, logIn, post, unexpectedErrors } from '../src/ui.js';

// Browsers percent-encode `"` in multipart file names, so the hostile name avoids quotes.
const HOSTILE = '<img src=x onerror=window.__pwned=1>shot.png';

describe('files and voice messages', () => {
  let server: ParleyProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await ParleyProcess.start();
    const anon = server.client();
    await anon.createUser(
      { username: 'alice', email: 'alice@example.com', password: PASSWORD } as UserProfile,
      '',
      '',
    );
    const { client: admin } = await server.login('alice');
    const team = await admin.createTeam({ name: 'acme', display_name: 'Acme', type: 'O' } as Team);
    const bobUser = await admin.createUser(
      { username: 'bob', email: 'bob@example.com', password: PASSWORD } as UserProfile,
      '',
      '',
    );
    await admin.addToTeam(team.id, bobUser.id);

    // Chromium's fake microphone (a tone) serves getUserMedia and MediaRecorder without a prompt.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    alice = await openPerson(browser, server.url);
    bob = await openPerson(browser, server.url);
    await logIn(alice.page, 'alice');
    await logIn(bob.page, 'bob');
    await alice.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    await bob.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('uploads an image dropped on the channel with progress; the other client shows its thumbnail and viewer', async () => {
    const page = alice.page;
    // A slow upload link, so the progress bar is seen between 0 and 100 %.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });

    // A noisy 640×480 PNG (about a megabyte) built in the page, dropped on the channel.
    await page.evaluate(async (name) => {
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 480;
      const ctx = canvas.getContext('2d')!;
      const img = ctx.createImageData(640, 480);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i % 4 === 3 ? 255 : Math.random() * 256) | 0;
      ctx.putImageData(img, 0, 0);
      ctx.fillStyle = '#1f6feb';
      ctx.fillRect(200, 150, 240, 180);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], name, { type: 'image/png' }));
      const zone = document.querySelector('.channel')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, HOSTILE);

    const item = page.locator('.upload-item');
    await item.waitFor();
    expect(await item.locator('.upload-item__name').textContent()).toBe(HOSTILE);
    const bar = item.getByRole('progressbar');
    // Progress moves through the middle before it completes.
    await expect
      .poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000, interval: 50 })
      .toBeGreaterThan(0);
    const midway = Number(await bar.getAttribute('value'));
    await screenshot(page, 'files-upload-progress');
    expect(midway).toBeLessThan(100);
    await expect.poll(() => item.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    await page.locator('#composer').fill('Look at this');
    await page.locator('#composer').press('Enter');
    await expect.poll(() => page.locator('.upload-item').count()).toBe(0);

    // Bob: the thumbnail, loaded, at the size the file info gave.
    const thumb = post(bob.page, 'Look at this').locator('.attachment-thumb img');
    await thumb.waitFor();
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
        timeout: 15_000,
      })
      .toBe(120);
    expect(await thumb.getAttribute('width')).toBe('120');
    expect(await thumb.getAttribute('height')).toBe('100');
    await screenshot(bob.page, 'files-thumbnail');

    await post(bob.page, 'Look at this').locator('.attachment-thumb').click();
    const viewer = bob.page.getByRole('dialog', { name: `Image 1 of 1: ${HOSTILE}` });
    await viewer.waitFor();
    const big = viewer.locator('img');
    await expect
      .poll(() => big.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
        timeout: 15_000,
      })
      .toBeGreaterThan(120);
    const fitted = await big.evaluate((img) => img.getBoundingClientRect().width);
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await viewer.getByText('150%').waitFor();
    expect(await big.evaluate((img) => img.getBoundingClientRect().width)).toBeCloseTo(fitted * 1.5, 0);
    expect(await viewer.getByRole('link', { name: 'Download' }).getAttribute('href')).toMatch(
      /^\/api\/v4\/files\/[a-z0-9]{26}\?download=1$/,
    );
    await screenshot(bob.page, 'files-viewer');
    await bob.page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await expectNoScriptRan(bob.page, bob.dialogs);
    await expectNoScriptRan(page, alice.dialogs);
  });

  it('records a voice message that the other client plays with its length', async () => {
    const page = alice.page;
    // The text in the box goes with the recording as its caption.
    await page.locator('#composer').fill('Listen to this');
    await page.getByRole('button', { name: 'Record a voice message' }).click();
    const recorder = page.getByRole('group', { name: 'Recording a voice message' });
    await recorder.waitFor();
    await expect
      .poll(() => recorder.getByLabel('Recording length').textContent(), { timeout: 10_000 })
      .toBe('0:02');
    await screenshot(page, 'files-voice-recording');
    await recorder.getByRole('button', { name: 'Send voice message' }).click();
    await recorder.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#composer').inputValue()).toBe('');

    const voice = post(bob.page, 'Listen to this').locator('.attachment-media--audio');
    await voice.waitFor({ timeout: 20_000 });
    expect(await voice.locator('.attachment-media__name').textContent()).toBe('Voice message');
    // The length, found although MediaRecorder's WebM carries none in its header.
    await expect
      .poll(() => voice.locator('.attachment-media__duration').textContent(), { timeout: 15_000 })
      .toMatch(/^0:0[1-3]$/);
    const played = await voice.locator('audio').evaluate(async (audio: HTMLAudioElement) => {
      audio.currentTime = 0;
      await audio.play();
      await new Promise((r) => setTimeout(r, 600));
      const result = { duration: audio.duration, time: audio.currentTime, error: audio.error?.code ?? 0 };
      audio.pause();
      return result;
    });
    expect(played.error).toBe(0);
    expect(played.duration).toBeGreaterThan(1);
    expect(played.time).toBeGreaterThan(0.2);
    await screenshot(bob.page, 'files-voice-message');

    // Without text, the recording goes alone. Record past two seconds on the recorder's clock: the
    // media starts a little after the clock does, so a "0:01" recording can hold under a second.
    await page.getByRole('button', { name: 'Record a voice message' }).click();
    await expect
      .poll(() => recorder.getByLabel('Recording length').textContent(), { timeout: 10_000 })
      .toBe('0:02');
    await recorder.getByRole('button', { name: 'Send voice message' }).click();
    const voices = bob.page.locator('.workspace__main .attachment-media--audio');
    await expect.poll(() => voices.count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('.workspace__main .post--failed').count()).toBe(0);
    const last = bob.page.locator('.workspace__main article.post').last();
    expect((await last.locator('.markdown').count()) === 0).toBe(true);
    await expect
      .poll(() => last.locator('.attachment-media__duration').textContent(), { timeout: 15_000 })
      .toMatch(/^0:0[1-3]$/);

    expect(unexpectedErrors(alice.errors)).toEqual([]);
    expect(unexpectedErrors(bob.errors)).toEqual([]);
  });
});
