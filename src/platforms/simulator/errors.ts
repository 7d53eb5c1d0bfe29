import { HttpError } from '../../server/http-error.js';

/** An API error of the simulator, with its HTTP status (the server's error handler sends it). */
export class SimError extends HttpError {
  get status(): number {
    return this.statusCode;
  }
}
