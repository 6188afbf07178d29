import { InvalidArgumentError } from '../../common/errors.js';

// A minimal 5-field cron expression (minute hour day-of-month month day-of-week) with *, lists,
// ranges, steps and month/day names; local time. As in cron, when both day fields are restricted
// a day matching either runs.

interface Field {
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

export interface CronSchedule {
  matches(d: Date): boolean;
  /** The first whole minute strictly after `after` that matches. */
  next(after: Date): Date;
}

function parseField(text: string, f: Field, expr: string): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  const bad = () => new InvalidArgumentError(`invalid cron expression ${JSON.stringify(expr)}: bad field ${JSON.stringify(text)}`);
  const value = (s: string): number => {
    const named = f.names?.indexOf(s.toLowerCase()) ?? -1;
    const n = named >= 0 ? named + f.min : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < f.min || n > f.max) throw bad();
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || range === undefined || range === '') throw bad();
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [f.min, f.max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a ?? ''), value(b ?? '')];
      if (lo > hi) throw bad();
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let i = lo; i <= hi; i += step) set.add(i);
  }
  return { set, star: text === '*' || text.startsWith('*/') };
}

export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidArgumentError(`invalid cron expression ${JSON.stringify(expr)}: want 5 fields (minute hour day month weekday)`);
  const [min, hour, dom, mon, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!, expr)) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  if (dow.set.has(7)) dow.set.add(0);
  const dayMatches = (d: Date): boolean => {
    const a = dom.set.has(d.getDate());
    const b = dow.set.has(d.getDay());
    if (dom.star && dow.star) return true;
    if (dom.star) return b;
    if (dow.star) return a;
    return a || b;
  };
  const matches = (d: Date): boolean => min.set.has(d.getMinutes()) && hour.set.has(d.getHours()) && mon.set.has(d.getMonth() + 1) && dayMatches(d);
  return {
    matches,
    next(after: Date): Date {
      const d = new Date(after.getTime());
      d.setSeconds(0, 0);
      d.setMinutes(d.getMinutes() + 1);
      // Five years of minutes covers every satisfiable expression (29 February included).
      for (let i = 0; i < 5 * 366 * 1440; i++) {
        if (!mon.set.has(d.getMonth() + 1)) {
          d.setMonth(d.getMonth() + 1, 1);
          d.setHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(d)) {
          d.setDate(d.getDate() + 1);
          d.setHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.set.has(d.getHours())) {
          d.setHours(d.getHours() + 1, 0, 0, 0);
          continue;
        }
        if (matches(d)) return d;
        d.setMinutes(d.getMinutes() + 1);
      }
      throw new InvalidArgumentError(`cron expression ${JSON.stringify(expr)} never matches`);
    },
  };
}
