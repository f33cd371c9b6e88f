/**
 * The dashboard (dashboard.summary, no input). Its lists are short by design; these limits tell the
 * SPA how many items a list holds at most, so it can offer "show all" when a total is larger.
 */

/** Items per list of the caller's overdue, due-today and due-soon tasks (each also has its total). */
export const dashboardTaskLimit = 20;

/** Entries of recent credential activity. */
export const dashboardActivityLimit = 10;
