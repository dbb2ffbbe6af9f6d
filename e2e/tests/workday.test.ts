/**
 * The everyday tools around the conversation: typing indicators, presence and status, sending that
 * survives a failed request without duplicates, pins and saved messages, autocomplete, Ctrl+K, the
 * theme, and the app at phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import {
  launchBrowser,
  openPerson,
  ParleyProcess,
  PASSWORD,
  screenshot,
  type Person,
} from '../src/harness.js';
import { composer, logIn, openChannel, post, send, sidebarItem, unexpectedErrors } from '../src/ui.js';

describe('a working day', () => {
  let server: ParleyProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let team: Team;

  beforeAll(async () => {
    server = await ParleyProcess.start();
    const anon = server.client();
    await anon.createUser(
      { username: 'alice', email: 'alice@example.com', password: PASSWORD } as UserProfile,
      '',
      '',
    );
    const { client: admin, user: aliceUser } = await server.login('alice');
    team = await admin.createTeam({ name: 'acme', display_name: 'Acme', type: 'O' } as Team);
    const bobUser = await admin.createUser(
      {
        username: 'bob',
        email: 'bob@example.com',
        password: PASSWORD,
        first_name: 'Bob',
        last_name: 'Builder',
      } as UserProfile,
      '',
      '',
    );
    await admin.addToTeam(team.id, bobUser.id);
    // A DM exists from the start, so both see each other's presence in the sidebar.
    const dm = await admin.createDirectChannel([aliceUser.id, bobUser.id]);
    await admin.createPost({ channel_id: dm.id, message: 'Welcome aboard' });

    browser = await launchBrowser();
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

  it('shows who is typing, and stops when they send', async () => {
    await composer(bob.page).pressSequentially('I am writing a long', { delay: 20 });
    const typing = alice.page.locator('.workspace__main .typing');
    await expect.poll(() => typing.textContent()).toBe('bob is typing…');
    await composer(bob.page).press('Enter');
    await post(alice.page, 'I am writing a long').waitFor();
    await expect.poll(() => typing.textContent()).toBe('');
  });

  it('shows presence, and a status the user sets', async () => {
    const dot = sidebarItem(bob.page, 'alice').locator('.presence');
    await expect.poll(() => dot.getAttribute('aria-label')).toBe('Online');
    await alice.page.locator('.sidebar__me-button').click();
    await alice.page.getByRole('menuitemradio', { name: 'Do not disturb' }).click();
    await expect.poll(() => dot.getAttribute('aria-label')).toBe('Do not disturb');
    await alice.page.locator('.sidebar__me-button').click();
    await alice.page.getByRole('menuitemradio', { name: 'Online' }).click();
    await expect.poll(() => dot.getAttribute('aria-label')).toBe('Online');
  });

  it('shows a post at once, marks it when sending fails, and retries without duplicates', async () => {
    // First attempt: the request never reaches the server.
    await alice.page.route('**/api/v4/posts', (route) => route.abort('internetdisconnected'));
    await send(alice.page, 'Retry me please');
    const pending = post(alice.page, 'Retry me please');
    await pending.getByRole('alert').filter({ hasText: 'Not sent.' }).waitFor();
    await alice.page.unroute('**/api/v4/posts');
    await pending.getByRole('button', { name: 'Retry' }).click();
    await post(bob.page, 'Retry me please').waitFor();
    await expect.poll(() => pending.locator('.post__status').count()).toBe(0);

    // Second: the server stores the post but the answer is lost; the retry must not post it twice.
    await alice.page.route('**/api/v4/posts', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await send(alice.page, 'Answer lost on the way');
    await post(bob.page, 'Answer lost on the way').waitFor();
    await alice.page.unroute('**/api/v4/posts');
    const lost = post(alice.page, 'Answer lost on the way');
    const retry = lost.getByRole('button', { name: 'Retry' });
    if (await retry.count()) await retry.click();
    await expect.poll(() => lost.locator('.post__status').count()).toBe(0);
    expect(await post(alice.page, 'Answer lost on the way').count()).toBe(1);
    expect(await post(bob.page, 'Answer lost on the way').count()).toBe(1);
    const { client } = await server.login('bob');
    const ts = await client.getChannelByName(team.id, 'town-square');
    const list = await client.getPosts(ts.id);
    const copies = Object.values(list.posts).filter((p) => p.message === 'Answer lost on the way');
    expect(copies).toHaveLength(1);
  });

  it('pins a message for the channel and saves one for oneself', async () => {
    const target = post(alice.page, 'I am writing a long');
    await target.hover();
    await target.getByRole('button', { name: 'More actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Pin to channel' }).click();
    await post(bob.page, 'I am writing a long').locator('.post__flag', { hasText: 'Pinned' }).waitFor();
    await bob.page.getByRole('button', { name: 'Pinned messages' }).click();
    const pinned = bob.page.getByRole('complementary', { name: 'Pinned messages' });
    await pinned.locator('article.post', { hasText: 'I am writing a long' }).waitFor();
    await bob.page.getByRole('button', { name: 'Close pinned messages' }).click();

    const mine = post(bob.page, 'Retry me please');
    await mine.hover();
    await mine.getByRole('button', { name: 'More actions' }).click();
    await bob.page.getByRole('menuitem', { name: 'Save' }).click();
    await bob.page.getByRole('button', { name: 'Saved messages' }).click();
    const saved = bob.page.getByRole('complementary', { name: 'Saved messages' });
    await saved.locator('article.post', { hasText: 'Retry me please' }).waitFor();
    // Saved is personal: Alice's view carries no mark.
    expect(
      await post(alice.page, 'Retry me please').locator('.post__flag', { hasText: 'Saved' }).count(),
    ).toBe(0);
    await bob.page.getByRole('button', { name: 'Close saved messages' }).click();
  });

  it('autocompletes people, channels and emoji in the browser', async () => {
    const box = composer(alice.page);
    await box.pressSequentially('thanks @bo');
    const option = alice.page.getByRole('option', { name: /@bob/ });
    await option.waitFor();
    await box.press('Enter');
    await box.pressSequentially('in ~off');
    await alice.page.getByRole('option', { name: /~off-topic/ }).waitFor();
    await box.press('Tab');
    await box.pressSequentially(':tad');
    await alice.page
      .getByRole('option', { name: /:tada:/ })
      .first()
      .waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('thanks @bob in ~off-topic :tada: ');
    await box.press('Enter');
    await post(bob.page, 'thanks @bob in ~off-topic 🎉')
      .locator('.mention--me', { hasText: '@bob' })
      .waitFor();
  });

  it('switches channels with Ctrl+K from the keyboard', async () => {
    await alice.page.keyboard.press('Control+k');
    const dialog = alice.page.getByRole('dialog', { name: 'Switch channels' });
    await dialog.getByRole('combobox', { name: 'Channel or person' }).fill('off');
    await alice.page.keyboard.press('Enter');
    await alice.page.locator('#channel-title', { hasText: 'Off-Topic' }).waitFor();
    expect(await dialog.count()).toBe(0);
    await alice.page.keyboard.press('Control+k');
    await dialog.getByRole('combobox', { name: 'Channel or person' }).fill('bob');
    await alice.page.keyboard.press('Enter');
    await alice.page.locator('#channel-title', { hasText: 'bob' }).waitFor();
    expect(new URL(alice.page.url()).pathname).toBe('/acme/messages/@bob');
    await openChannel(alice.page, 'Town Square');
  });

  it('follows the chosen theme', async () => {
    await alice.page.locator('.sidebar__me-button').click();
    await alice.page.getByRole('menuitem', { name: 'Settings' }).click();
    const settings = alice.page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Dark').check();
    expect(await alice.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await settings.getByRole('button', { name: 'Close' }).click();
    await screenshot(alice.page, 'dark-theme');
    await alice.page.reload();
    await alice.page.locator('#channel-title').waitFor();
    expect(await alice.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  });

  it('works at phone width with the sidebar as a drawer', async () => {
    const phone = await openPerson(browser, server.url, { width: 390, height: 844 });
    try {
      await logIn(phone.page, 'bob');
      await phone.page.locator('#channel-title').waitFor();
      const nav = phone.page.getByRole('navigation', { name: 'Channels' });
      const box = async () => (await nav.boundingBox())?.x ?? -1;
      expect(await box()).toBeLessThan(0);
      await screenshot(phone.page, 'phone-channel');
      await phone.page.getByRole('button', { name: 'Open channel list' }).click();
      await expect.poll(box).toBeGreaterThanOrEqual(0);
      await screenshot(phone.page, 'phone-drawer');
      await sidebarItem(phone.page, 'Off-Topic').click();
      await phone.page.locator('#channel-title', { hasText: 'Off-Topic' }).waitFor();
      await expect.poll(box).toBeLessThan(0);
      await send(phone.page, 'Sent from my phone');
      await openChannel(alice.page, 'Off-Topic');
      await post(alice.page, 'Sent from my phone').waitFor();
      expect(unexpectedErrors(phone.errors)).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('loads older history while scrolling up in a window of mounted rows, and keeps the place when coming back', async () => {
    const { client } = await server.login('alice');
    const channel = await client.createChannel({
      team_id: team.id,
      name: 'history',
      display_name: 'History',
      type: 'O',
    });
    const bobUser = await client.getUserByUsername('bob');
    await client.addToChannel(bobUser.id, channel.id);
    for (let i = 1; i <= 350; i++)
      await client.createPost({ channel_id: channel.id, message: `History ${i}` });

    await openChannel(bob.page, 'History');
    await post(bob.page, 'History 350').waitFor();
    const first = bob.page.locator('.workspace__main .markdown', { hasText: /^\s*History 1\s*$/ });
    expect(await first.count()).toBe(0);
    const scroller = bob.page.locator('.workspace__main .post-list__scroller');
    await expect
      .poll(
        async () => {
          await scroller.evaluate((el) => (el.scrollTop = 0));
          return first.count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    // Windowed: the oldest is reachable, but not every post is mounted at once.
    expect(await bob.page.locator('.workspace__main article.post').count()).toBeLessThanOrEqual(300);
    await bob.page.getByText('This is the beginning of the conversation.').waitFor();

    // Away and back: still at the top, not thrown to the bottom.
    await openChannel(bob.page, 'Town Square');
    await openChannel(bob.page, 'History');
    // In the scroller's view (an unmounted row is not).
    const inView = async (text: RegExp) => {
      const row = bob.page.locator('.workspace__main .markdown', { hasText: text });
      if ((await row.count()) === 0) return false;
      return row.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('.post-list__scroller')!.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      });
    };
    await expect.poll(() => inView(/^\s*History 1\s*$/)).toBe(true);
    expect(await inView(/^\s*History 350\s*$/)).toBe(false);
    await bob.page.getByRole('button', { name: /Jump to recent/ }).click();
    await expect.poll(() => inView(/^\s*History 350\s*$/)).toBe(true);
    await openChannel(bob.page, 'Town Square');
  });

  it('raises a desktop notification for a direct message once allowed', async () => {
    await bob.context.grantPermissions(['notifications']);
    // Record notifications instead of showing them (the page cannot tell the difference).
    await bob.page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { __shown: string[] }).__shown = shown;
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: unknown = null;
        constructor(title: string, opts?: { body?: string }) {
          shown.push(`${title}: ${opts?.body ?? ''}`);
        }
        close() {}
      }
      (window as unknown as { Notification: unknown }).Notification = FakeNotification;
    });
    await openChannel(alice.page, 'bob');
    await send(alice.page, 'Ping **for you**');
    await expect
      .poll(() => bob.page.evaluate(() => (window as unknown as { __shown: string[] }).__shown))
      .toEqual(['alice: Ping for you']);
    await openChannel(alice.page, 'Town Square');
  });

  it('logged no unexpected errors', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([]);
    expect(unexpectedErrors(bob.errors)).toEqual([]);
  });
});
