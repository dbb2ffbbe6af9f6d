/**
 * Following a thread from the thread panel: Alice opens Bob's thread (she is not part of it, so it
 * shows Follow), follows it, and after a reload the panel still shows Following, as the server says.
 * Bob's own state is untouched. Then the open panel follows the thread live: Bob's new reply, the root's
 * reply count and a follow made elsewhere (another of Alice's sessions) show without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Browser } from 'playwright-core';
import type { Post } from '@mattermost/types/posts';
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
import { logIn, post, unexpectedErrors, waitOnline } from '../src/ui.js';

describe('following a thread', () => {
  let server: ParleyProcess;
  let browser: Browser;
  let alice: Person;
  let team: Team;
  let root: Post;
  let bob: Client4;

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
    const bobUser = await admin.createUser(
      { username: 'bob', email: 'bob@example.com', password: PASSWORD } as UserProfile,
      '',
      '',
    );
    await admin.addToTeam(team.id, bobUser.id);
    ({ client: bob } = await server.login('bob'));
    const town = await bob.getChannelByName(team.id, 'town-square');
    root = await bob.createPost({ channel_id: town.id, message: 'Release plan, thoughts?' } as Post);
    await bob.createPost({ channel_id: town.id, message: 'Friday works', root_id: root.id } as Post);

    browser = await launchBrowser();
    alice = await openPerson(browser, server.url);
    await logIn(alice.page, 'alice');
    await alice.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  const openThread = async () => {
    const item = post(alice.page, 'Release plan, thoughts?');
    await item.getByRole('button', { name: '1 reply' }).click();
    const panel = alice.page.getByRole('complementary', { name: 'Thread' });
    await panel.locator('article.post', { hasText: 'Friday works' }).waitFor();
    return panel;
  };

  it('follows a thread, and it still shows Following after a reload', async () => {
    const panel = await openThread();
    const follow = panel.getByRole('button', { name: 'Follow', exact: true });
    await expect.poll(() => follow.isEnabled()).toBe(true);
    expect(await follow.getAttribute('aria-pressed')).toBe('false');
    await follow.click();
    const following = panel.getByRole('button', { name: 'Following', exact: true });
    await following.waitFor();
    expect(await following.getAttribute('aria-pressed')).toBe('true');
    await screenshot(alice.page, 'thread-following');

    // The server agrees.
    const { client } = await server.login('alice');
    const me = await client.getMe();
    expect((await client.getUserThread(me.id, team.id, root.id)).is_following).toBe(true);

    await alice.page.reload();
    await alice.page.locator('#channel-title', { hasText: 'Town Square' }).waitFor();
    await waitOnline(alice.page);
    const again = await openThread();
    const still = again.getByRole('button', { name: 'Following', exact: true });
    await still.waitFor();
    expect(await still.getAttribute('aria-pressed')).toBe('true');

    // Unfollow: back to Follow, and the server agrees.
    await still.click();
    await again.getByRole('button', { name: 'Follow', exact: true }).waitFor();
    expect((await client.getUserThread(me.id, team.id, root.id)).is_following).toBe(false);

    // No failed request: a thread Alice never joined answers "not following", not a 404.
    expect(unexpectedErrors(alice.errors)).toEqual([]);
  });

  it('the open thread panel applies a new reply, the reply count and a follow from elsewhere live', async () => {
    const panel = alice.page.getByRole('complementary', { name: 'Thread' });
    await panel.getByRole('button', { name: 'Follow', exact: true }).waitFor();
    const item = post(alice.page, 'Release plan, thoughts?');
    await item.getByRole('button', { name: '1 reply' }).waitFor();

    await bob.createPost({
      channel_id: root.channel_id,
      message: 'Or Monday, after the demo',
      root_id: root.id,
    } as Post);
    await panel.locator('article.post', { hasText: 'Or Monday, after the demo' }).waitFor();
    await panel.getByRole('separator').filter({ hasText: '2 replies' }).waitFor();
    await item.getByRole('button', { name: '2 replies' }).waitFor();

    // Alice follows the thread in another session: this tab hears thread_follow_changed.
    const { client } = await server.login('alice');
    const me = await client.getMe();
    await client.updateThreadFollowForUser(me.id, team.id, root.id, true);
    const following = panel.getByRole('button', { name: 'Following', exact: true });
    await following.waitFor();
    expect(await following.getAttribute('aria-pressed')).toBe('true');
    await screenshot(alice.page, 'thread-live');

    expect(unexpectedErrors(alice.errors)).toEqual([]);
  });
});
