/** Collecting the figures from the lead units: templates, returns, their status, reminders. */
export { reportingUnits, templateFileName, unknownUnits, type UnitItems } from './units.ts';
export { dueDate, jobDueDate, jobCalendar, type DueRule } from './due.ts';
export { lastPeriodFigures, type LastPeriod } from './last-period.ts';
export { buildTemplate, writeTemplate, DATA_SHEET, META_SHEET, type TemplateInput } from './template.ts';
export { readReturnMeta, readFolder, sourceFolder, type ReturnMeta } from './returns.ts';
export { returnsStatus, type ReturnsStatus, type UnitReturn, type ReturnState } from './status.ts';
export { remindPass, startReminders, periodCollectedIn, type ReminderOutcome } from './reminders.ts';
