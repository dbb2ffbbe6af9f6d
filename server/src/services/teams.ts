import type { Deps } from './context.js';

export class TeamService {
  constructor(private readonly deps: Deps) {}
}
