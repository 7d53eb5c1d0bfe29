/** An API error of the simulator, with its HTTP status (the routes turn it into the response). */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
