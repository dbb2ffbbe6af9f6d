import type { Deps } from './context.js';

export class ChannelService {
  constructor(private readonly deps: Deps) {}
}
