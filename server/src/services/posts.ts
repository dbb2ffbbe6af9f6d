import type { Deps } from './context.js';

export class PostService {
  constructor(private readonly deps: Deps) {}
}
