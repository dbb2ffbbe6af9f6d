import type { Deps } from './context.js';
import { AuthService } from './auth.js';
import { UserService } from './users.js';
import { PreferenceService } from './preferences.js';
import { TeamService } from './teams.js';
import { ChannelService } from './channels.js';
import { PostService } from './posts.js';
import { PresenceService } from './presence.js';
import { ReactionService } from './reactions.js';
import { FileService } from './files.js';
import { UnreadService } from './unreads.js';
import { ThreadService } from './threads.js';
import { SearchService } from './search.js';

export interface Services {
  deps: Deps;
  auth: AuthService;
  users: UserService;
  preferences: PreferenceService;
  teams: TeamService;
  channels: ChannelService;
  posts: PostService;
  presence: PresenceService;
  reactions: ReactionService;
  files: FileService;
  unreads: UnreadService;
  threads: ThreadService;
  search: SearchService;
}

export function createServices(deps: Deps): Services {
  const auth = new AuthService(deps);
  return {
    deps,
    auth,
    users: new UserService(deps, auth),
    preferences: new PreferenceService(deps),
    teams: new TeamService(deps),
    channels: new ChannelService(deps),
    posts: new PostService(deps),
    presence: new PresenceService(deps),
    reactions: new ReactionService(deps),
    files: new FileService(deps),
    unreads: new UnreadService(deps),
    threads: new ThreadService(deps),
    search: new SearchService(deps),
  };
}
