import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

export function registerChannelRoutes(_api: FastifyInstance, _services: Services): void {}
