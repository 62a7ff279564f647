import { describe, expect, it } from 'vitest';
import { Slots } from '../../../src/transport/slots.js';

describe('Slots', () => {
  it('lets `size` holders in at once and the waiters in the order they came', async () => {
    const slots = new Slots(2);
    const entered: string[] = [];
    const enter = (name: string) => slots.acquire().then(() => entered.push(name));
    const all = [enter('a'), enter('b'), enter('c'), enter('d')];
    await Promise.resolve();
    await Promise.resolve();
    expect(entered).toEqual(['a', 'b']);
    slots.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(entered).toEqual(['a', 'b', 'c']);
    slots.release();
    await Promise.all(all);
    expect(entered).toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the slot when nobody waits, so the next holder enters at once', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    slots.release();
    let entered = false;
    void slots.acquire().then(() => (entered = true));
    await Promise.resolve();
    expect(entered).toBe(true);
  });
});
