// Runs cart writes one at a time, in the order they were asked for. Overlapping cart writes race in
// Medusa 1.20 (two POST /payment-sessions for one cart collide on its unique (cart_id, provider_id)
// index; line-item writes recompute totals from what each request read), so nothing here overlaps.
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
