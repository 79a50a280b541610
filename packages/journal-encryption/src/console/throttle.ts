/**
 * Guessing the access token costs time. Every wrong token (typed into the page, or sent as a
 * bearer token or session cookie) is answered only after the wrong ones before it and a pause,
 * so guesses go through one at a time, a few a second, however many arrive at once. While too
 * many wrong guesses are waiting, further requests that carry a token are refused unchecked
 * (429): checking them would answer a right guess at once and let a flood of guesses through.
 */
export interface GuessThrottle {
  /** Too many wrong guesses are waiting: refuse before checking. */
  readonly busy: boolean;
  /** Resolves when a wrong guess may be answered. */
  wrongGuess(): Promise<void>;
}

export function createGuessThrottle(pauseMs = 250, maxWaiting = 16): GuessThrottle {
  let waiting = 0;
  let queue: Promise<void> = Promise.resolve();
  return {
    get busy() {
      return waiting >= maxWaiting;
    },
    async wrongGuess() {
      waiting++;
      const turn = queue.then(() => new Promise<void>((resolve) => setTimeout(resolve, pauseMs)));
      queue = turn;
      try {
        await turn;
      } finally {
        waiting--;
      }
    },
  };
}
