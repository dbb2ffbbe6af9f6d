import { ConfigError, type Config } from './config.js';
import type { Services } from './services/index.js';
import type { Logger } from './services/context.js';
import { AppError } from './lib/errors.js';

/**
 * The Docker way to get a first administrator: when PARLEY_ADMIN_USERNAME, _EMAIL and _PASSWORD are set
 * and no user of that name exists, create that system admin. Existing users are never touched: a later
 * start with other values changes nothing (use parleyctl for that).
 */
export async function bootstrapAdmin(services: Services, config: Config, log: Logger): Promise<void> {
  const admin = config.admin;
  if (!admin) return;
  if (await services.deps.store.users.findByUsername(admin.username)) return;
  try {
    await services.users.createUserAsOperator(
      { username: admin.username, email: admin.email, password: admin.password },
      true,
    );
  } catch (err) {
    // E.g. the e-mail address belongs to another account: say so instead of a stack trace.
    if (err instanceof AppError) {
      throw new ConfigError(`could not create the PARLEY_ADMIN_USERNAME administrator: ${err.message}`);
    }
    throw err;
  }
  log.info({ username: admin.username }, 'created the bootstrap system administrator');
}
