import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { ROLES } from '../../permissions/roles.js';
import { badRequest, notFound } from '../../lib/errors.js';
import { stringArrayBody, stringParam, stringQuery } from './http.js';

export function registerSystemRoutes(api: FastifyInstance, services: Services): void {
  const { config } = services.deps;

  api.get('/system/ping', { config: { public: true } }, async () => ({ status: 'OK' }));

  api.get('/config/client', { config: { public: true } }, async (req) => {
    const format = stringQuery(req, 'format');
    if (format !== 'old')
      throw badRequest('api.config.client.old_format.app_error', 'Only format=old is supported.');
    const siteUrl = config.siteUrl;
    return {
      Version: config.version,
      BuildNumber: '0',
      BuildDate: '',
      BuildHash: 'parley',
      SiteName: 'Parley',
      SiteURL: siteUrl,
      WebsocketURL: '',
      DiagnosticsEnabled: 'false',
      EnableSignUpWithEmail: 'true',
      EnableSignInWithEmail: 'true',
      EnableSignInWithUsername: 'true',
      EnableOpenServer: String(config.enableOpenServer),
      EnableUserCreation: 'true',
      EnableCustomEmoji: 'false',
      EnableUserTypingMessages: 'true',
      CollapsedThreads: 'disabled',
      ShowEmailAddress: String(config.showEmailAddress),
      PasswordMinimumLength: '8',
      MaxPostSize: '16383',
      MaxFileSize: String(config.maxFileSize),
      ExperimentalPrimaryTeam: '',
      // Lets a client send the very first visitor straight to sign-up.
      NoAccounts: String((await services.users.countUsers()) === 0),
    };
  });

  api.get('/license/client', { config: { public: true } }, async (req) => {
    const format = stringQuery(req, 'format');
    if (format !== 'old')
      throw badRequest('api.license.client.old_format.app_error', 'Only format=old is supported.');
    return { IsLicensed: 'false' };
  });

  const presentRole = (name: string) => {
    const r = ROLES[name];
    if (!r) return undefined;
    return {
      id: name,
      name,
      display_name: r.displayName,
      description: '',
      create_at: 0,
      update_at: 0,
      delete_at: 0,
      permissions: [...r.permissions],
      scheme_managed: true,
      built_in: true,
    };
  };

  api.post('/roles/names', async (req) => {
    const names = stringArrayBody(req, 100, 64);
    return names.map(presentRole).filter((r) => r !== undefined);
  });

  api.get('/roles/name/:role_name', async (req) => {
    const r = presentRole(stringParam(req, 'role_name', 64));
    if (!r) throw notFound('role');
    return r;
  });

  api.get('/roles/:role_id', async (req) => {
    const r = presentRole(stringParam(req, 'role_id', 64));
    if (!r) throw notFound('role');
    return r;
  });
}
