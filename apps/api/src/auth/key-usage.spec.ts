import { KeyUsage, NOTE_EVERY_MS } from './key-usage';

describe('KeyUsage', () => {
  it('notes a key at most once per NOTE_EVERY_MS and hands the notes over once', () => {
    const usage = new KeyUsage();
    usage.note('a', 1000);
    usage.note('a', 2000);
    usage.note('b', 3000);
    expect(usage.take()).toEqual(
      new Map([
        ['a', new Date(1000)],
        ['b', new Date(3000)],
      ]),
    );
    expect(usage.take().size).toBe(0);
    usage.note('a', 1000 + NOTE_EVERY_MS - 1);
    expect(usage.take().size).toBe(0);
    usage.note('a', 1000 + NOTE_EVERY_MS);
    expect(usage.take()).toEqual(new Map([['a', new Date(1000 + NOTE_EVERY_MS)]]));
  });

  it('keeps the notes of a failed write for the next, unless a newer one came', () => {
    const usage = new KeyUsage();
    usage.note('a', 0);
    usage.note('b', 0);
    const failed = usage.take();
    usage.note('a', NOTE_EVERY_MS);
    usage.giveBack(failed);
    expect(usage.take()).toEqual(
      new Map([
        ['a', new Date(NOTE_EVERY_MS)],
        ['b', new Date(0)],
      ]),
    );
  });
});
