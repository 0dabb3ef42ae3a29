import { CONFIG } from '@tollgate/config';

/** Injection tokens of what every Tollgate process shares (the configuration's lives in @tollgate/config). */
export const DB_POOL = Symbol('pool');
export const PRISMA = Symbol('prisma');
export { CONFIG };
