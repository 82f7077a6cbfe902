// For test cases that run side by side (test.concurrent): starting a Node process is the CPU-heavy part of
// such a case, and a test waits for it only so long (5 s). Starting several at once on a busy 2-CPU machine
// can starve each of them past that, so the starts go through a limiter while the rest of the cases (the
// streams they watch, their sleeps) still overlap.

/** Runs at most `n` of the tasks given to it at a time, the others in the order they were given. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task waiting, if any.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
