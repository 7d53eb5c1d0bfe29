/** The incident row, in a module of its own so the incident service's parts can share it without importing the service. */
import type { PrismaClient } from '../db/client.js';

export type IncidentRow = NonNullable<Awaited<ReturnType<PrismaClient['incident']['findUnique']>>>;
