/** What a person does in the web client, as small steps the tests compose. */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { PASSWORD } from './harness.js';

export async function logIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Channels' }).waitFor();
  await waitOnline(page);
}

/** The socket is up: the offline/connecting banner is gone. */
export async function waitOnline(page: Page): Promise<void> {
  await page.locator('.connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
}

export function composer(page: Page): Locator {
  return page.locator('#composer');
}

export async function send(page: Page, text: string, box: Locator = composer(page)): Promise<void> {
  await box.fill(text);
  await box.press('Enter');
}

/** A message in the channel view (not the thread panel) holding the text. */
export function post(page: Page, text: string): Locator {
  return page.locator('.workspace__main article.post').filter({ hasText: text });
}

export function sidebarItem(page: Page, name: string): Locator {
  return page
    .getByRole('navigation', { name: 'Channels' })
    .locator('a.sidebar__item')
    .filter({ has: page.locator('.sidebar__name', { hasText: new RegExp(`^${escapeRe(name)}$`) }) });
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await sidebarItem(page, name).click();
  await page.locator('#channel-title', { hasText: name }).waitFor();
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Errors seen in the page, less the expected 401 of the signed-out start. */
export function unexpectedErrors(errors: string[]): string[] {
  return errors.filter(
    (e) =>
      !/status of 401/.test(e) &&
      // The socket's reconnect attempts while the server restarts.
      !/WebSocket connection to .* failed/.test(e) &&
      !/ERR_CONNECTION_REFUSED/.test(e) &&
      // Requests the tests cut on purpose.
      !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET/.test(e),
  );
}

export async function expectNoScriptRan(page: Page, dialogs: string[]): Promise<void> {
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
}
