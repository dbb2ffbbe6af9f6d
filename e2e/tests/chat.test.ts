/**
 * Two people, two browser contexts, one real server: they chat in a channel and in a direct message in
 * real time, reply in a thread, react, edit and delete; unread and mention badges follow; hostile
 * Markdown and names stay inert; a reload keeps everything; and a server restart mid-conversation is
 * caught up without a reload. Bob is the reader who must see each of Alice's actions.
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
import {
  composer,
  expectNoScriptRan,
  logIn,
  openChannel,
  post,
  send,
  sidebarItem,
  unexpectedErrors,
  waitOnline,
} from '../src/ui.js';

const XSS_NAME = '<img src=x onerror="window.__pwned=1">Evil';

describe('two people chatting', () => {
  let server: ParleyProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let team: Team;
  let bobUser: UserProfile;

  beforeAll(async () => {
    server = await ParleyProcess.start();
    // Seed through the API: Alice (the first account, admin) creates the team and Bob's account.
    const anon = server.client();
    await anon.createUser(
      { username: 'alice', email: 'alice@example.com', password: PASSWORD } as UserProfile,
      '',
      '',
    );
    const { client: admin } = await server.login('alice');
    team = await admin.createTeam({ name: 'acme', display_name: 'Acme', type: 'O' } as Team);
    bobUser = await admin.createUser(
      { username: 'bob', email: 'bob@example.com', password: PASSWORD, first_name: XSS_NAME } as UserProfile,
      '',
      '',
    );
    await admin.addToTeam(team.id, bobUser.id);

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

  it('delivers channel messages both ways in real time', async () => {
    await send(alice.page, 'Morning Bob! :wave:');
    await post(bob.page, 'Morning Bob! 👋').waitFor();
    await send(bob.page, 'Morning Alice, coffee?');
    await post(alice.page, 'Morning Alice, coffee?').waitFor();
    // Each sees both messages once, in order.
    const texts = await bob.page.locator('.workspace__main article.post .markdown').allTextContents();
    expect(texts.map((t) => t.trim())).toEqual(['Morning Bob! 👋', 'Morning Alice, coffee?']);
    await screenshot(bob.page, 'channel');
  });

  it('shows unread channels in bold and mentions as a badge, cleared on opening', async () => {
    // Alice posts in Off-Topic while Bob stays in Town Square.
    await openChannel(alice.page, 'Off-Topic');
    await send(alice.page, 'Anyone around?');
    const item = sidebarItem(bob.page, 'Off-Topic');
    await expect.poll(() => item.getAttribute('data-unread')).toBe('true');
    await expect.poll(() => item.locator('.badge').count()).toBe(0);

    await send(alice.page, 'hey @bob, look at this');
    await expect.poll(() => item.locator('.badge').textContent()).toBe('1');
    await expect.poll(() => bob.page.title()).toMatch(/^\(1\) /);
    await screenshot(bob.page, 'unread-badges');

    await openChannel(bob.page, 'Off-Topic');
    await post(bob.page, 'hey @bob, look at this').locator('.mention--me').waitFor();
    await expect.poll(() => item.getAttribute('data-unread')).toBe(null);
    expect(await item.locator('.badge').count()).toBe(0);
    await expect.poll(() => bob.page.title()).not.toMatch(/^\(/);

    // The server agrees: Bob's membership is read.
    const { client } = await server.login('bob');
    const member = await client.getMyChannelMember((await client.getChannelByName(team.id, 'off-topic')).id);
    expect(member.mention_count).toBe(0);
    await openChannel(alice.page, 'Town Square');
    await openChannel(bob.page, 'Town Square');
  });

  it('delivers a direct message with a badge, opened from the sidebar', async () => {
    await alice.page.getByRole('button', { name: 'Write to people' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Direct message' });
    await dialog.getByLabel('Find people by name').fill('bo');
    await dialog.getByRole('button', { name: /@bob/ }).click();
    await dialog.getByRole('button', { name: 'Go' }).click();
    await alice.page.locator('#channel-title', { hasText: 'bob' }).waitFor();
    expect(new URL(alice.page.url()).pathname).toBe('/acme/messages/@bob');
    await waitOnline(alice.page);
    await send(alice.page, 'Psst, a private word');

    const dm = sidebarItem(bob.page, 'alice');
    await expect.poll(() => dm.locator('.badge').textContent()).toBe('1');
    await dm.click();
    await post(bob.page, 'Psst, a private word').waitFor();
    expect(new URL(bob.page.url()).pathname).toBe('/acme/messages/@alice');
    await send(bob.page, 'Listening');
    await post(alice.page, 'Listening').waitFor();
    await screenshot(alice.page, 'direct-message');
  });

  it('replies in a thread: the reply count appears on the root for the other', async () => {
    await openChannel(alice.page, 'Town Square');
    await openChannel(bob.page, 'Town Square');
    const root = post(bob.page, 'Morning Bob!');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = bob.page.getByRole('complementary', { name: 'Thread' });
    await panel.getByRole('combobox', { name: 'Reply to thread' }).fill('Replying in the thread');
    await panel.getByRole('combobox', { name: 'Reply to thread' }).press('Enter');
    await panel.locator('article.post', { hasText: 'Replying in the thread' }).waitFor();

    const count = post(alice.page, 'Morning Bob!').getByRole('button', { name: '1 reply' });
    await count.waitFor();
    // The reply stays out of the channel's main list.
    expect(await post(alice.page, 'Replying in the thread').count()).toBe(0);
    await count.click();
    const alicePanel = alice.page.getByRole('complementary', { name: 'Thread' });
    await alicePanel.locator('article.post', { hasText: 'Replying in the thread' }).waitFor();
    await screenshot(alice.page, 'thread');
    await alicePanel.getByRole('button', { name: 'Close thread' }).click();
    await bob.page
      .getByRole('complementary', { name: 'Thread' })
      .getByRole('button', { name: 'Close thread' })
      .click();
  });

  it('shows a reaction to the other person', async () => {
    const target = post(alice.page, 'Morning Alice, coffee?');
    await target.hover();
    await target.getByRole('button', { name: 'Add reaction' }).click();
    const picker = alice.page.getByRole('dialog', { name: 'Emoji picker' });
    await picker.getByLabel('Search emoji').fill('tada');
    await picker.getByRole('option', { name: ':tada:', exact: true }).click();
    const seen = post(bob.page, 'Morning Alice, coffee?').getByRole('button', {
      name: /^:tada: 1, by alice$/,
    });
    await seen.waitFor();
    expect(await seen.getAttribute('aria-pressed')).toBe('false');
    // Bob adds his: both see two.
    await seen.click();
    await post(alice.page, 'Morning Alice, coffee?')
      .getByRole('button', { name: /^:tada: 2, by / })
      .waitFor();
  });

  it('shows an edit and a delete to the other person', async () => {
    await send(alice.page, 'Lunch at noon');
    const mine = post(alice.page, 'Lunch at noon');
    await post(bob.page, 'Lunch at noon').waitFor();
    await mine.hover();
    await mine.getByRole('button', { name: 'More actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = alice.page.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('Lunch at one');
    await edit.press('Enter');
    const edited = post(bob.page, 'Lunch at one');
    await edited.locator('.post__edited').waitFor();
    expect(await post(bob.page, 'Lunch at noon').count()).toBe(0);

    // Up-arrow in the empty box edits the last post too.
    await composer(alice.page).click();
    await composer(alice.page).press('ArrowUp');
    await alice.page.getByRole('textbox', { name: 'Edit message' }).press('Escape');

    const again = post(alice.page, 'Lunch at one');
    await again.hover();
    await again.getByRole('button', { name: 'More actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = alice.page.getByRole('dialog', { name: 'Delete message' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await post(bob.page, 'Lunch at one').waitFor({ state: 'detached' });
    await post(alice.page, 'Lunch at one').waitFor({ state: 'detached' });
  });

  it('renders script-bearing Markdown, names and channel names as inert text', async () => {
    const { client } = await server.login('alice');
    const channel = await client.createChannel({
      team_id: team.id,
      name: 'hostile',
      display_name: '<svg onload="window.__pwned=1">Hostile',
      type: 'O',
      purpose: '<img src=x onerror="window.__pwned=1">',
    });
    await client.addToChannel(bobUser.id, channel.id);
    const payloads = [
      '<img src=x onerror="window.__pwned=1;alert(1)">',
      '<script>window.__pwned=1</script>',
      '[click me](javascript:window.__pwned=1)',
      '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '<svg onload="window.__pwned=1"></svg>',
      '<a href="javascript:alert(1)">x</a> and `<b>code</b>`',
    ];
    for (const message of payloads) await client.createPost({ channel_id: channel.id, message });

    const item = sidebarItem(bob.page, '<svg onload="window.__pwned=1">Hostile');
    await item.click();
    await bob.page.locator('#channel-title', { hasText: '<svg onload="window.__pwned=1">Hostile' }).waitFor();
    await post(bob.page, '<a href="javascript:alert(1)">x</a>').waitFor();
    const list = bob.page.locator('.workspace__main .post-list');
    expect(await list.locator('img, svg:not(.icon), script, iframe').count()).toBe(0);
    // Literal text, and links that go nowhere dangerous.
    await post(bob.page, '<img src=x onerror="window.__pwned=1;alert(1)">').waitFor();
    const hrefs = await list
      .locator('a[href]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) expect(href).not.toMatch(/^\s*(javascript|data):/i);
    // A name with markup shows as text in the member list.
    await bob.page.getByRole('button', { name: /^Members: / }).click();
    await bob.page.getByRole('complementary', { name: 'Members' }).getByText('bob').first().waitFor();
    await bob.page.getByRole('button', { name: 'Close members' }).click();
    await screenshot(bob.page, 'inert-markup');
    await expectNoScriptRan(bob.page, bob.dialogs);
    await expectNoScriptRan(alice.page, alice.dialogs);
  });

  it('keeps everything across a reload, and opens permalinks', async () => {
    await openChannel(bob.page, 'Town Square');
    await bob.page.reload();
    await bob.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    await waitOnline(bob.page);
    await post(bob.page, 'Morning Bob!').getByRole('button', { name: '1 reply' }).waitFor();
    await post(bob.page, 'Morning Alice, coffee?')
      .getByRole('button', { name: /^:tada: 2/ })
      .waitFor();
    expect(await post(bob.page, 'Lunch at one').count()).toBe(0);
    expect(await sidebarItem(bob.page, 'alice').count()).toBe(1);

    // A deep link to the DM and a permalink, loaded fresh.
    await bob.page.goto('/acme/messages/@alice');
    await post(bob.page, 'Psst, a private word').waitFor();
    const { client } = await server.login('alice');
    const ts = await client.getChannelByName(team.id, 'town-square');
    const list = await client.getPosts(ts.id);
    const target = Object.values(list.posts).find((p) => p.message === 'Morning Alice, coffee?');
    expect(target).toBeDefined();
    await bob.page.goto(`/acme/pl/${target!.id}`);
    await bob.page.locator('article.post--highlight', { hasText: 'Morning Alice, coffee?' }).waitFor();
    await waitOnline(bob.page);
    await openChannel(bob.page, 'Town Square');
  });

  it('catches up after the server restarts mid-conversation, without a reload', async () => {
    await server.stop();
    await bob.page.locator('.connection-banner').waitFor();
    await alice.page.locator('.connection-banner').waitFor();
    await server.boot();
    // Posted while Bob's socket is still reconnecting: he must get it from the refetch or the stream.
    const { client } = await server.login('alice');
    const ts = await client.getChannelByName(team.id, 'town-square');
    await client.createPost({ channel_id: ts.id, message: 'Posted during the outage' });
    await waitOnline(bob.page);
    await waitOnline(alice.page);
    await post(bob.page, 'Posted during the outage').waitFor();
    // And the live stream works again both ways.
    await send(alice.page, 'Back online?');
    await post(bob.page, 'Back online?').waitFor();
    await send(bob.page, 'Loud and clear');
    await post(alice.page, 'Loud and clear').waitFor();
    expect(await post(bob.page, 'Posted during the outage').count()).toBe(1);
  });

  it('logged no unexpected errors', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([]);
    expect(unexpectedErrors(bob.errors)).toEqual([]);
  });
});
