/**
 * Organising the conversation: creating channels (public and private), browsing and joining, adding
 * and removing members, renaming, leaving and archiving, a group message, and a second team. Each change
 * made by Alice reaches Bob's open client without a reload.
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
import { logIn, openChannel, post, send, sidebarItem, unexpectedErrors } from '../src/ui.js';

describe('channels and teams', () => {
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
    const { client: admin } = await server.login('alice');
    team = await admin.createTeam({ name: 'acme', display_name: 'Acme', type: 'O' } as Team);
    for (const name of ['bob', 'carol']) {
      const u = await admin.createUser(
        { username: name, email: `${name}@example.com`, password: PASSWORD } as UserProfile,
        '',
        '',
      );
      await admin.addToTeam(team.id, u.id);
    }
    browser = await launchBrowser();
    alice = await openPerson(browser, server.url);
    bob = await openPerson(browser, server.url);
    await logIn(alice.page, 'alice');
    await logIn(bob.page, 'bob');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  it('creates a public channel that others find by browsing and join', async () => {
    await alice.page.getByRole('button', { name: 'Create a channel' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Name').fill('Design Reviews');
    await dialog.getByLabel(/Purpose/).fill('Show and tell');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await alice.page.locator('#channel-title', { hasText: 'Design Reviews' }).waitFor();
    expect(new URL(alice.page.url()).pathname).toBe('/acme/channels/design-reviews');
    await alice.page.getByText('Show and tell').waitFor();
    await send(alice.page, 'First review on Friday');

    // Bob is not a member: it is not in his sidebar, but he can browse to it.
    expect(await sidebarItem(bob.page, 'Design Reviews').count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Browse channels' }).click();
    const browse = bob.page.getByRole('dialog', { name: 'Browse channels' });
    await browse
      .getByRole('listitem')
      .filter({ hasText: 'Design Reviews' })
      .getByRole('button', { name: 'Join' })
      .click();
    await bob.page.locator('#channel-title', { hasText: 'Design Reviews' }).waitFor();
    await post(bob.page, 'First review on Friday').waitFor();
    await sidebarItem(bob.page, 'Design Reviews').waitFor();
  });

  it('creates a private channel; an added member sees it appear, a removed one sees it go', async () => {
    await alice.page.getByRole('button', { name: 'Create a channel' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Name').fill('Leadership');
    await dialog.getByLabel(/^Private/).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await alice.page.locator('#channel-title', { hasText: 'Leadership' }).waitFor();
    await send(alice.page, 'Confidential plans');

    // Not visible to Bob, not even by browsing.
    await bob.page.getByRole('button', { name: 'Browse channels' }).click();
    const browse = bob.page.getByRole('dialog', { name: 'Browse channels' });
    await browse
      .getByText(/Design Reviews|No other public channels/)
      .first()
      .waitFor();
    expect(await browse.getByText('Leadership').count()).toBe(0);
    await browse.getByRole('button', { name: 'Close' }).click();

    await alice.page.getByRole('button', { name: /^Members: / }).click();
    const members = alice.page.getByRole('complementary', { name: 'Members' });
    await members.getByLabel('Add people to the channel').fill('bo');
    await members
      .getByRole('listitem')
      .filter({ hasText: '@bob' })
      .getByRole('button', { name: 'Add' })
      .click();
    await members.getByRole('list', { name: 'Channel members' }).getByText('bob').waitFor();

    const item = sidebarItem(bob.page, 'Leadership');
    await item.waitFor();
    await item.click();
    await post(bob.page, 'Confidential plans').waitFor();
    await openChannel(bob.page, 'Town Square');

    await members.getByRole('button', { name: 'Remove bob from the channel' }).click();
    await item.waitFor({ state: 'detached' });
    await alice.page.getByRole('button', { name: 'Close members' }).click();
  });

  it('renames a channel for everyone, then archives it', async () => {
    await openChannel(alice.page, 'Design Reviews');
    await alice.page.getByRole('button', { name: 'Channel actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Rename' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Rename channel' });
    await dialog.getByLabel('Name').fill('Design Crits');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await alice.page.locator('#channel-title', { hasText: 'Design Crits' }).waitFor();
    await sidebarItem(bob.page, 'Design Crits').waitFor();

    await alice.page.getByRole('button', { name: 'Channel actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Archive channel' }).click();
    await alice.page
      .getByRole('dialog', { name: 'Archive channel' })
      .getByRole('button', { name: 'Archive' })
      .click();
    await sidebarItem(alice.page, 'Design Crits').waitFor({ state: 'detached' });
    await sidebarItem(bob.page, 'Design Crits').waitFor({ state: 'detached' });
  });

  it('leaves a channel', async () => {
    await openChannel(bob.page, 'Off-Topic');
    await bob.page.getByRole('button', { name: 'Channel actions' }).click();
    await bob.page.getByRole('menuitem', { name: 'Leave channel' }).click();
    await bob.page
      .getByRole('dialog', { name: 'Leave channel' })
      .getByRole('button', { name: 'Leave' })
      .click();
    await sidebarItem(bob.page, 'Off-Topic').waitFor({ state: 'detached' });
    await bob.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
  });

  it('starts a group message with people picked by name', async () => {
    await alice.page.getByRole('button', { name: 'Write to people' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Direct message' });
    for (const name of ['bob', 'carol']) {
      await dialog.getByLabel('Find people by name').fill(name);
      await dialog.getByRole('button', { name: new RegExp(`@${name}`) }).click();
    }
    await dialog.getByRole('button', { name: 'Go' }).click();
    await alice.page.locator('#channel-title', { hasText: 'bob, carol' }).waitFor();
    await send(alice.page, 'Three of us now');
    const group = sidebarItem(bob.page, 'alice, carol');
    await group.waitFor();
    await group.click();
    await post(bob.page, 'Three of us now').waitFor();
    await screenshot(bob.page, 'group-message');
  });

  it('creates a second team and switches between teams', async () => {
    await alice.page.getByRole('button', { name: 'Create or join a team' }).click();
    await alice.page.getByLabel('Team name').fill('Side Project');
    await alice.page.getByRole('button', { name: 'Create team' }).click();
    await alice.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    expect(new URL(alice.page.url()).pathname).toBe('/side-project/channels/town-square');
    await alice.page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('heading', { name: 'Side Project' })
      .waitFor();
    await alice.page
      .getByRole('navigation', { name: 'Teams' })
      .getByRole('button', { name: /^Acme/ })
      .click();
    await alice.page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('heading', { name: 'Acme' })
      .waitFor();
  });

  it('joins an open team from the team list', async () => {
    const { client } = await server.login('alice');
    const open = await client.createTeam({ name: 'guild', display_name: 'Guild', type: 'O' } as Team);
    await client.patchTeam({ id: open.id, allow_open_invite: true } as Team);
    await bob.page.getByRole('button', { name: 'Create or join a team' }).click();
    const teams = bob.page.getByRole('region', { name: 'Open teams' });
    await teams
      .getByRole('listitem')
      .filter({ hasText: 'Guild' })
      .getByRole('button', { name: 'Join' })
      .click();
    await bob.page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('heading', { name: 'Guild' })
      .waitFor();
    await bob.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    expect(new URL(bob.page.url()).pathname).toBe('/guild/channels/town-square');
    // The private team Alice made earlier was never offered.
    expect(
      await bob.page
        .getByRole('navigation', { name: 'Teams' })
        .getByRole('button', { name: /Side Project/ })
        .count(),
    ).toBe(0);
  });

  it('labels every control for assistive technology', async () => {
    for (const page of [alice.page, bob.page]) {
      const unlabelled = await page.evaluate(() => {
        const name = (el: Element) =>
          (el.getAttribute('aria-label') ?? '').trim() ||
          (el.getAttribute('aria-labelledby') ?? '').trim() ||
          (el as HTMLInputElement).labels?.[0]?.textContent?.trim() ||
          (el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA' ? (el.textContent ?? '').trim() : '') ||
          (el.getAttribute('title') ?? '').trim();
        return [...document.querySelectorAll('button, a[href], input, textarea, select, [role="option"]')]
          .filter((el) => !name(el))
          .map((el) => el.outerHTML.slice(0, 120));
      });
      expect(unlabelled).toEqual([]);
      const landmarks = await page.evaluate(() =>
        [...document.querySelectorAll('nav, main, aside')].map((el) => el.getAttribute('aria-label')),
      );
      expect(landmarks).toEqual(expect.arrayContaining(['Teams', 'Channels', 'Conversation']));
    }
  });

  it('logged no unexpected errors', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([]);
    expect(unexpectedErrors(bob.errors)).toEqual([]);
  });
});
