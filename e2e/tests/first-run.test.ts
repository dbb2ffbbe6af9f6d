/**
 * A fresh server: the first visitor signs up, creates the first team and lands in its town square,
 * ready to post. The page carries the security headers the app promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  launchBrowser,
  openPerson,
  ParleyProcess,
  PASSWORD,
  screenshot,
  type Person,
} from '../src/harness.js';
import { composer, post, unexpectedErrors, waitOnline } from '../src/ui.js';

describe('first run', () => {
  let server: ParleyProcess;
  let browser: Browser;
  let person: Person;

  beforeAll(async () => {
    server = await ParleyProcess.start();
    browser = await launchBrowser();
    person = await openPerson(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('serves the app with a strict Content-Security-Policy', async () => {
    const res = await person.page.goto('/acme/channels/town-square');
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    // Signed out, a deep link leads to the login page and remembers where to go.
    await person.page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(new URL(person.page.url()).pathname).toBe('/login');
    await screenshot(person.page, 'login');
  });

  it('lets the first visitor create an account and the first team', async () => {
    const { page } = person;
    await page.getByRole('link', { name: 'Create one' }).click();
    await page.getByLabel('Username').fill('founder');
    await page.getByLabel('Email').fill('founder@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, 'signup');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Create your team' }).waitFor();
    await page.getByLabel('Team name').fill('Acme Corp');
    await page.getByRole('button', { name: 'Create team' }).click();

    await page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/acme-corp/channels/town-square');
    await waitOnline(page);

    // The account is the system admin, the team exists on the server.
    const { client, user } = await server.login('founder');
    expect(user.roles).toContain('system_admin');
    const teams = await client.getMyTeams();
    expect(teams.map((t) => t.name)).toEqual(['acme-corp']);
  });

  it('posts a first message that survives a reload', async () => {
    const { page } = person;
    await composer(page).fill('Hello, **world**!');
    await composer(page).press('Enter');
    await post(page, 'Hello, world!').locator('strong', { hasText: 'world' }).waitFor();
    await page.reload();
    await post(page, 'Hello, world!').waitFor();
    await screenshot(page, 'first-channel');
  });

  it('logs out, and back in to where the user was', async () => {
    const { page } = person;
    await page.locator('.sidebar__me-button').click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // The session is gone on the server too: the app cannot read the channel any more.
    await page.goto('/acme-corp/channels/town-square');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Username or email').fill('founder');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await post(page, 'Hello, world!').waitFor();
    expect(new URL(page.url()).pathname).toBe('/acme-corp/channels/town-square');
    expect(unexpectedErrors(person.errors)).toEqual([]);
  });
});
