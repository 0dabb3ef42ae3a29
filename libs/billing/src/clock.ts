// The billing clock: what "now" is for closing periods, grace periods, approvals, coupon expiry and invoice
// numbers. Real time, except in tests (TOLLGATE_TEST_NOW, NODE_ENV=test), which set and move it.

/** Injected wherever billing asks for the time (an abstract class: its own injection token). */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Starts at a given instant and runs at real speed from there; a test moves it with `set`. */
export class TestClock extends Clock {
  private offsetMs: number;

  constructor(start: Date) {
    super();
    this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(at: Date | string): void {
    this.offsetMs = new Date(at).getTime() - Date.now();
  }
}
