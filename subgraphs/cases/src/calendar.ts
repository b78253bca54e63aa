// Building an Intl.DateTimeFormat costs far more than formatting with one: one serves every call.
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

/** Today's date in England and Wales (the hub's boards are UK boards), as YYYY-MM-DD. */
export function todayInLondon(now = new Date()): string {
  return londonDate.format(now);
}
