/** The task row and the statuses that still need work (shared by tasks, their reminders and checklists). */
import type { PrismaClient } from '../db/client.js';

export type TaskRow = NonNullable<Awaited<ReturnType<PrismaClient['task']['findUnique']>>>;

export const OPEN_TASK = ['open', 'accepted', 'blocked'];
