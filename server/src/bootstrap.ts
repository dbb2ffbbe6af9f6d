import type { Config } from './config.js';
import type { Services } from './services/index.js';
import type { Logger } from './services/context.js';

/**
 * The Docker way to get a first administrator: when PARLEY_ADMIN_USERNAME, _EMAIL and _PASSWORD are set
 * and no user of that name exists, create that system admin. Existing users are never touched.
 */
export async function bootstrapAdmin(services: Services, config: Config, log: Logger): Promise<void> {
  const admin = config.admin;
  if (!admin) return;
  if (await services.deps.store.users.findByUsername(admin.username)) return;
  await services.users.createUserAsOperator(
    { username: admin.username, email: admin.email, password: admin.password },
    true,
  );
  log.info({ username: admin.username }, 'created the bootstrap system administrator');
}
