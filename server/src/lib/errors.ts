/**
 * One error type for everything a request can be refused for. `id` is the stable Mattermost-style
 * error id (clients see it as server_error_id); the HTTP layer turns it into the wire error shape.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (id: string, message: string) => new AppError(400, id, message);
export const unauthorized = (message = 'Invalid or expired session, please login again.') =>
  new AppError(401, 'api.context.session_expired.app_error', message);
export const forbidden = (message = 'You do not have the appropriate permissions.') =>
  new AppError(403, 'api.context.permissions.app_error', message);
export const notFound = (what: string) =>
  new AppError(404, 'app.' + what + '.get.app_error', `Unable to find the ${what}.`);
export const conflict = (id: string, message: string) => new AppError(409, id, message);
