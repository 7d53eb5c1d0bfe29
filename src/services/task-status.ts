/** Task statuses that still need work (shared by tasks, their reminders and checklists). */
export const OPEN_TASK = ['open', 'accepted', 'blocked'];
