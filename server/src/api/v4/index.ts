import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { registerSystemRoutes } from './system.js';
import { registerUserRoutes } from './users.js';
import { registerPreferenceRoutes } from './preferences.js';
import { registerTeamRoutes } from './teams.js';
import { registerChannelRoutes } from './channels.js';
import { registerPostRoutes } from './posts.js';
import { registerStatusRoutes } from './status.js';
import { registerFileRoutes } from './files.js';
import { registerUnreadRoutes } from './unreads.js';
import { registerThreadRoutes } from './threads.js';
import { registerSearchRoutes } from './search.js';

export async function registerApiV4(api: FastifyInstance, services: Services): Promise<void> {
  registerSystemRoutes(api, services);
  registerUserRoutes(api, services);
  registerPreferenceRoutes(api, services);
  registerTeamRoutes(api, services);
  registerChannelRoutes(api, services);
  registerPostRoutes(api, services);
  registerStatusRoutes(api, services);
  registerFileRoutes(api, services);
  registerUnreadRoutes(api, services);
  registerThreadRoutes(api, services);
  registerSearchRoutes(api, services);
}
