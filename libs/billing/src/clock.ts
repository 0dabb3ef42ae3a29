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

/** Stands at a given instant until a test moves it with `set`: what a test asserts does not depend on timing. */
export class TestClock extends Clock {
  private at: number;

  constructor(start: Date) {
    super();
    this.at = start.getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }
}
